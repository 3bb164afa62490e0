// Tests of the token flow as a state machine: feed the realm's answers, check the requests and
// the outcome; no sockets (the model is Boost.Redis's reader_fsm tests).
#include "proxy/protocol/token_flow.hpp"

#include <catch2/catch.hpp>

using namespace strata::proxy;
using strata::errc;
using strata::result;

namespace {

const auto now = wall_clock::from_time_t(1'700'000'000);
const std::string good = R"({"token":"abc","expires_in":300})";

token_flow_params params(bool credentials) {
    return {"/token?x=1", "registry.example", "repository:org/app:pull", credentials ? "bob" : "", "p@ss w", credentials};
}

result<token_answer> answer(unsigned status, std::string body = "") { return token_answer{status, std::move(body)}; }

}  // namespace

TEST_CASE("anonymous: one GET with service and scope in the query, then the token") {
    token_flow flow(params(false));
    const auto get = flow.start();
    CHECK(get.verb == token_request::method::get);
    CHECK(get.target == "/token?x=1&service=registry.example&scope=repository%3Aorg%2Fapp%3Apull");
    CHECK_FALSE(get.basic_auth);
    const auto step = flow.resume(answer(200, good), now);
    REQUIRE(step.token);
    CHECK(step.token->token == "abc");
    CHECK_FALSE(step.send);
}

TEST_CASE("with credentials: the OAuth2 form first, by POST") {
    token_flow flow(params(true));
    const auto post = flow.start();
    CHECK(post.verb == token_request::method::post);
    CHECK(post.target == "/token?x=1");
    CHECK(post.content_type == "application/x-www-form-urlencoded");
    CHECK(post.body == "grant_type=password&client_id=strata&service=registry.example"
                       "&scope=repository%3Aorg%2Fapp%3Apull&username=bob&password=p%40ss%20w");
    CHECK_FALSE(post.basic_auth);
    const auto step = flow.resume(answer(200, good), now);
    REQUIRE(step.token);
    CHECK(step.token->token == "abc");
}

TEST_CASE("a realm without the form is asked by GET with Basic credentials") {
    for (const unsigned status : {400u, 401u, 404u, 405u}) {
        token_flow flow(params(true));
        flow.start();
        const auto fallback = flow.resume(answer(status), now);
        REQUIRE(fallback.send);
        CHECK(fallback.send->verb == token_request::method::get);
        CHECK(fallback.send->basic_auth);
        CHECK(flow.resume(answer(200, good), now).token);
    }
    token_flow unreachable(params(true));
    unreachable.start();
    const auto step = unreachable.resume(strata::make_error_code(errc::upstream_unavailable), now);
    REQUIRE(step.send);  // the POST could not be sent: try the GET
    CHECK(step.send->basic_auth);
}

TEST_CASE("credentials the policy withholds are never sent") {
    auto p = params(true);
    p.send_credentials = false;
    token_flow flow(p);
    const auto get = flow.start();
    CHECK(get.verb == token_request::method::get);
    CHECK_FALSE(get.basic_auth);
    CHECK(get.body.empty());
}

TEST_CASE("final answers map onto errc") {
    const auto outcome = [](result<token_answer> a) {
        token_flow flow(params(false));
        flow.start();
        return flow.resume(a, now);
    };
    CHECK(outcome(answer(401)).error == errc::upstream_denied);
    CHECK(outcome(answer(403)).status == 403);
    CHECK(outcome(answer(503)).error == errc::upstream_unavailable);
    CHECK(outcome(answer(429)).error == errc::upstream_unavailable);
    CHECK(outcome(answer(418)).error == errc::upstream_protocol);
    CHECK(outcome(answer(200, "{}")).error == errc::upstream_protocol);
    CHECK(outcome(answer(200, R"({"token":"a b"})")).error == errc::upstream_protocol);
    CHECK(outcome(answer(200, std::string(100, '['))).error == errc::upstream_protocol);
    CHECK(outcome(strata::make_error_code(errc::upstream_truncated)).error == errc::upstream_truncated);
    // After a POST fallback, a GET that fails is final too.
    token_flow flow(params(true));
    flow.start();
    flow.resume(answer(404), now);
    const auto last = flow.resume(answer(401), now);
    CHECK_FALSE(last.send);
    CHECK(last.error == errc::upstream_denied);
}

TEST_CASE("resuming a finished flow is an error, not a request") {
    token_flow flow(params(false));
    const auto none = flow.resume(answer(200, good), now);  // never started
    CHECK_FALSE(none.send);
    CHECK_FALSE(none.token);
    flow.start();
    flow.resume(answer(200, good), now);
    const auto again = flow.resume(answer(200, good), now);
    CHECK_FALSE(again.token);
    CHECK(again.error == errc::upstream_protocol);
}
