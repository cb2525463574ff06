#include "control/admin/client.hpp"

#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <stdexcept>

namespace sluice {

admin_response admin_call(const std::string& socket_path, const admin_request& req) {
  namespace asio = boost::asio;
  namespace beast = boost::beast;
  namespace http = beast::http;
  using local = asio::local::stream_protocol;

  asio::io_context io;
  local::socket socket(io);
  beast::error_code ec;
  socket.connect(local::endpoint(socket_path), ec);
  if (ec)
    throw std::runtime_error("cannot connect to " + socket_path + ": " + ec.message() +
                             " (is sluiced running? is --socket right?)");

  http::request<http::string_body> r{http::string_to_verb(req.method), req.target, 11};
  r.set(http::field::host, "sluiced");
  r.set(http::field::content_type, "application/json");
  r.body() = req.body;
  r.prepare_payload();
  http::write(socket, r, ec);
  if (ec) throw std::runtime_error("sending to " + socket_path + ": " + ec.message());

  beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(socket, buffer, res, ec);
  if (ec) throw std::runtime_error("reading from " + socket_path + ": " + ec.message());
  return {static_cast<int>(res.result_int()), res.body()};
}

} // namespace sluice
