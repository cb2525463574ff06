#pragma once
// Transport-neutral request and response of the admin API, so request handling can be tested
// without sockets and the Beast plumbing stays in server.cpp / client.cpp.

#include <string>

namespace sluice {

struct admin_request {
  std::string method; // "GET", "POST", ...
  std::string target; // "/v1/services"
  std::string body;
};

struct admin_response {
  int status = 200;
  std::string body; // JSON, unless content_type says otherwise
  std::string content_type = "application/json";
};

} // namespace sluice
