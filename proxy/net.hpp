// Namespace aliases for Asio and Beast, shared by every proxy source.
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <memory_resource>

namespace strata::proxy {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using error_code = boost::system::error_code;

template <class T>
using awaitable = asio::awaitable<T>;

// A completion token for co_await that returns (error_code, results...) instead of throwing.
inline constexpr auto with_ec = asio::as_tuple(asio::use_awaitable);

// A client request's header fields, allocated from the connection's arena (server.cpp: reset
// between requests, so a warm connection reads a request without touching the heap).
using request_fields = http::basic_fields<std::pmr::polymorphic_allocator<char>>;

// A client request as the server reads it: headers only (the registry API has no bodies).
using request = http::request<http::empty_body, request_fields>;

}  // namespace strata::proxy
