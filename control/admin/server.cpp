#include "control/admin/server.hpp"

#include <sys/stat.h>

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
using stream = beast::basic_stream<local, asio::any_io_executor, beast::unlimited_rate_policy>;

constexpr auto k_request_timeout = std::chrono::seconds(5);
constexpr std::size_t k_max_body = 1 << 20;

// One connection: read a request (bounded in time and size), answer, close.
class session : public std::enable_shared_from_this<session> {
public:
  session(local::socket socket, const admin_server::handler& h)
      : stream_(std::move(socket)), handler_(h) {}

  void start() {
    parser_.body_limit(k_max_body);
    stream_.expires_after(k_request_timeout);
    http::async_read(stream_, buffer_, parser_,
                     [self = shared_from_this()](beast::error_code ec, std::size_t) {
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
    res_.set(http::field::content_type, "application/json");
    res_.body() = std::move(r.body);
    res_.keep_alive(false);
    res_.prepare_payload();
    http::async_write(stream_, res_, [self = shared_from_this()](beast::error_code, std::size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(local::socket::shutdown_send, ignored);
    });
  }

  stream stream_;
  const admin_server::handler& handler_;
  beast::flat_buffer buffer_;
  http::request_parser<http::string_body> parser_;
  http::response<http::string_body> res_;
};

} // namespace

struct admin_server::impl {
  impl(const std::string& path, handler h) : handler_(std::move(h)), acceptor_(io_), path_(path) {
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir);
    std::filesystem::remove(path); // a stale socket from a previous run
    // Owner-only from the moment the socket exists: no window where others could connect.
    const mode_t old_mask = ::umask(0177);
    beast::error_code ec;
    acceptor_.open(local(), ec);
    if (!ec) acceptor_.bind(local::endpoint(path), ec);
    ::umask(old_mask);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw std::runtime_error("admin.socket \"" + path + "\": " + ec.message());
    accept();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~impl() {
    io_.stop();
    if (thread_.joinable()) thread_.join();
    std::error_code ignored;
    std::filesystem::remove(path_, ignored);
  }

  void accept() {
    acceptor_.async_accept([this](beast::error_code ec, local::socket socket) {
      if (ec == asio::error::operation_aborted) return;
      if (!ec) std::make_shared<session>(std::move(socket), handler_)->start();
      accept();
    });
  }

  handler handler_;
  asio::io_context io_;
  local::acceptor acceptor_;
  std::string path_;
  std::thread thread_;
};

admin_server::admin_server(const std::string& socket_path, handler h)
    : impl_(std::make_unique<impl>(socket_path, std::move(h))) {}

admin_server::~admin_server() = default;

} // namespace sluice
