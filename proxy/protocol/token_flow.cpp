// token_flow: two states (posting, getting) and the reading of the final answer.
#include "proxy/protocol/token_flow.hpp"

#include "proxy/protocol/percent_encoding.hpp"
#include "proxy/protocol/retry_policy.hpp"

namespace strata::proxy {

namespace {

bool has_credentials(const token_flow_params& p) { return p.send_credentials && !p.username.empty(); }

}  // namespace

token_flow::token_flow(token_flow_params params) : params_(std::move(params)) {}

token_request token_flow::start() {
    state_ = has_credentials(params_) ? state::posting : state::getting;
    return state_ == state::posting ? form_post() : query_get();
}

token_request token_flow::form_post() const {
    token_request r;
    r.verb = token_request::method::post;
    r.target = params_.realm_target;
    r.content_type = "application/x-www-form-urlencoded";
    r.body = "grant_type=password&client_id=strata&service=" + percent_encode(params_.service) +
             "&scope=" + percent_encode(params_.scope) + "&username=" + percent_encode(params_.username) +
             "&password=" + percent_encode(params_.password);
    return r;
}

token_request token_flow::query_get() const {
    token_request r;
    r.target = params_.realm_target + (params_.realm_target.find('?') == std::string::npos ? "?" : "&") +
               "service=" + percent_encode(params_.service) + "&scope=" + percent_encode(params_.scope);
    r.basic_auth = has_credentials(params_);
    return r;
}

token_step token_flow::resume(const result<token_answer>& answer, wall_clock::time_point now) {
    if (state_ == state::posting) {
        const auto status = answer ? answer->status : 0u;
        if (!answer || status == 400 || status == 401 || status == 404 || status == 405) {
            state_ = state::getting;  // a realm without the OAuth2 form: ask the Docker way
            return {query_get(), std::nullopt, errc::ok, status};
        }
    }
    if (state_ != state::posting && state_ != state::getting)  // resumed before start() or after the end
        return {std::nullopt, std::nullopt, errc::upstream_protocol, 0};
    state_ = state::finished;
    if (!answer) return {std::nullopt, std::nullopt, to_errc(answer.error()), 0};
    return finish(*answer, now);
}

token_step token_flow::finish(const token_answer& answer, wall_clock::time_point now) {
    token_step step;
    step.status = answer.status;
    if (answer.status == 401 || answer.status == 403) {
        step.error = errc::upstream_denied;
    } else if (answer.status != 200) {
        step.error = is_retryable_status(answer.status) ? errc::upstream_unavailable : errc::upstream_protocol;
    } else if (auto token = parse_token_response(answer.body, now)) {
        step.token = std::move(*token);
    } else {
        step.error = to_errc(token.error());
    }
    return step;
}

}  // namespace strata::proxy
