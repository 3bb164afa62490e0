// token_flow: getting a bearer token from a registry's token realm, as a state machine fed answers.
#pragma once

#include "proxy/protocol/token_response.hpp"
#include "storage/oci/error.hpp"

#include <optional>
#include <string>

namespace strata::proxy {

// What the flow needs to know about the realm and the client.
struct token_flow_params {
    std::string realm_target;        // the realm URL's path and query
    std::string service, scope;      // from the challenge
    std::string username, password;  // empty username: anonymous
    bool send_credentials = false;   // whether the realm may receive them (the redirect policy's call)
};

// One request to the realm. The caller adds Host and, where basic_auth is set, the upstream's
// Basic credentials.
struct token_request {
    enum class method { post, get } verb = method::get;
    std::string target;        // path and query
    std::string content_type;  // set for the POST form
    std::string body;          // the form
    bool basic_auth = false;
};

// The realm's answer to a token_request.
struct token_answer {
    unsigned status = 0;
    std::string body;
};

// What to do next: send a request and resume with its answer, or stop with a token or an error.
struct token_step {
    std::optional<token_request> send;
    std::optional<issued_token> token;
    errc error = errc::ok;
    unsigned status = 0;  // the final answer's status, for the log
};

// Sans-I/O, after the distribution token spec and Docker's OAuth2 form: with credentials the
// flow first POSTs grant_type=password; a realm that answers that with 400, 401, 404 or 405, or
// cannot be reached for it, is asked by GET with Basic credentials instead. Anonymous: one GET.
// 401 and 403 become errc::upstream_denied; other non-200 answers upstream_unavailable when
// retryable, else upstream_protocol; a 200 is read by parse_token_response. Not thread-safe.
class token_flow {
public:
    explicit token_flow(token_flow_params params);

    // The first request.
    token_request start();
    // The answer to the last request, or the error that kept it from being answered.
    token_step resume(const result<token_answer>& answer, wall_clock::time_point now);

private:
    enum class state { not_started, posting, getting, finished };
    token_request form_post() const;
    token_request query_get() const;
    token_step finish(const token_answer& answer, wall_clock::time_point now);

    token_flow_params params_;
    state state_ = state::not_started;
};

}  // namespace strata::proxy
