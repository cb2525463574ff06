#include "control/admin/server.hpp"

#include <sys/stat.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace sluice {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using local = asio::local::stream_protocol;
using tcp = asio::ip::tcp;

constexpr auto k_request_timeout = std::chrono::seconds(5);
constexpr std::size_t k_max_body = 1 << 20;

// One connection: read a request (bounded in time and size), answer, close. The same code serves
// the Unix socket (admin API) and TCP (metrics).
template <typename Protocol>
class session : public std::enable_shared_from_this<session<Protocol>> {
public:
  using stream = beast::basic_stream<Protocol, asio::any_io_executor, beast::unlimited_rate_policy>;

  session(typename Protocol::socket socket, const admin_server::handler& h)
      : stream_(std::move(socket)), handler_(h) {}

  void start() {
    parser_.body_limit(k_max_body);
    stream_.expires_after(k_request_timeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = this->shared_from_this()](beast::error_code ec, std::size_t) {
                       if (!ec) self->respond();
                     });
  }

private:
  void respond() {
    const auto& req = parser_.get();
    admin_response r;
    try {
      r = handler_({std::string(req.method_string()), std::string(req.target()), req.body()});
    } catch (const std::exception& e) {
      r = {500, std::string(R"({"errors":["internal error: )") + e.what() + "\"]}"};
    }
    res_.version(req.version());
    res_.result(static_cast<http::status>(r.status));
    res_.set(http::field::content_type, r.content_type);
    res_.body() = std::move(r.body);
    res_.keep_alive(false);
    res_.prepare_payload();
    http::async_write(stream_, res_,
                      [self = this->shared_from_this()](beast::error_code, std::size_t) {
                        beast::error_code ignored;
                        self->stream_.socket().shutdown(Protocol::socket::shutdown_send, ignored);
                      });
  }

  stream stream_;
  const admin_server::handler& handler_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> res_;
};

// "a.b.c.d:port" (validated by the config parser, checked again here for API users).
tcp::endpoint tcp_endpoint(const std::string& host_port) {
  const auto colon = host_port.rfind(':');
  beast::error_code ec;
  const auto addr = asio::ip::make_address(host_port.substr(0, colon), ec);
  if (colon == std::string::npos || ec)
    throw std::runtime_error("admin.metrics \"" + host_port + "\": not ADDRESS:PORT");
  return {addr, static_cast<unsigned short>(std::stoul(host_port.substr(colon + 1)))};
}

} // namespace

struct admin_server::impl {
  virtual ~impl() = default;
};

namespace {

template <typename Protocol>
struct listener final : admin_server::impl {
  using endpoint = typename Protocol::endpoint;

  // `prepare` runs around bind (e.g. to set the umask); throws with `what` on failure.
  template <typename Prepare>
  listener(const endpoint& at, const std::string& what, admin_server::handler h, Prepare prepare)
      : handler_(std::move(h)), acceptor_(io_) {
    beast::error_code ec;
    acceptor_.open(at.protocol(), ec);
    if constexpr (std::is_same_v<Protocol, tcp>)
      if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) prepare([&] { acceptor_.bind(at, ec); });
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error(what + ": " + ec.message());
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~listener() override {
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, typename Protocol::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<session<Protocol>>(std::move(socket), handler_)->start();
      accept();
    });
  }

  admin_server::handler handler_;
  asio::io_context io_;
  typename Protocol::acceptor acceptor_;
  std::thread thread_;
};

// Removes the socket file after the listener has stopped.
struct unix_listener final : admin_server::impl {
  unix_listener(const std::string& path, admin_server::handler h) : path_(path) {
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    std::filesystem::remove(path); // a stale socket from a previous run
    listener_ = std::make_unique<listener<local>>(
        local::endpoint(path), "admin.socket \"" + path + "\"", std::move(h), [](auto bind) {
          // Owner-only from the moment the socket exists: no window where others could connect.
          const mode_t old_mask = ::umask(0177);
          bind();
          ::umask(old_mask);
        });
  }
  ~unix_listener() override {
    listener_.reset();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  std::string path_;
  std::unique_ptr<listener<local>> listener_;
};

} // namespace

admin_server::admin_server(const std::string& socket_path, handler h)
    : impl_(std::make_unique<unix_listener>(socket_path, std::move(h))) {}

admin_server::admin_server(tcp_address address, handler h)
    : impl_(std::make_unique<listener<tcp>>(tcp_endpoint(address.host_port),
                                            "admin.metrics \"" + address.host_port + "\"",
                                            std::move(h), [](auto bind) { bind(); })) {}

admin_server::~admin_server() = default;

} // namespace sluice
