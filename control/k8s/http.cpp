#include "control/k8s/http.hpp"

#include <curl/curl.h>

#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>

namespace sluice::k8s {

struct api_client::transfer {
  std::string method = "GET";
  std::string url;
  std::string body;
  std::string content_type;
  const std::function<bool(std::string_view)>* on_data = nullptr;
  const std::atomic<bool>* stop = nullptr;
  std::chrono::seconds max{120};
  std::chrono::milliseconds answer{15'000}; // until the status line
  std::chrono::milliseconds idle{15'000};   // longest pause once answered
  std::chrono::steady_clock::time_point start, last_byte;
  transport_failure aborted = transport_failure::none; // why on_progress ended it
  http_response r;
};

namespace {

size_t on_body(char* p, size_t size, size_t n, void* user) {
  auto* t = static_cast<api_client::transfer*>(user);
  const size_t len = size * n;
  t->last_byte = std::chrono::steady_clock::now();
  if (t->on_data == nullptr) {
    t->r.body.append(p, len);
    return len;
  }
  // Only hand a 2xx body to the framer: an error status carries a Status object to keep.
  if (t->r.status != 0 && (t->r.status < 200 || t->r.status > 299)) {
    t->r.body.append(p, len);
    return len;
  }
  return (*t->on_data)(std::string_view(p, len)) ? len : 0; // 0 aborts the transfer
}

size_t on_header(char* p, size_t size, size_t n, void* user) {
  auto* t = static_cast<api_client::transfer*>(user);
  const std::string_view line(p, size * n);
  t->last_byte = std::chrono::steady_clock::now();
  if (line.starts_with("HTTP/")) {
    // The status line: known before any body byte, so on_body can route the body.
    const auto sp = line.find(' ');
    if (sp != std::string_view::npos) t->r.status = std::atol(std::string(line.substr(sp + 1, 3)).c_str());
  }
  constexpr std::string_view k = "retry-after:";
  if (line.size() > k.size()) {
    std::string lower(line.substr(0, k.size()));
    for (char& c : lower) c = char(std::tolower(static_cast<unsigned char>(c)));
    if (lower == k) {
      std::string v(line.substr(k.size()));
      while (!v.empty() && (v.back() == '\r' || v.back() == '\n' || v.back() == ' ')) v.pop_back();
      while (!v.empty() && v.front() == ' ') v.erase(0, 1);
      t->r.retry_after = v;
    }
  }
  return size * n;
}

// libcurl calls this at least once a second, even while nothing arrives: the place to give up
// on a server that accepted the connection and then said nothing.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<api_client::transfer*>(user);
  if (t->stop != nullptr && t->stop->load(std::memory_order_relaxed)) {
    t->aborted = transport_failure::stopped;
    return 1;
  }
  const auto now = std::chrono::steady_clock::now();
  if (t->r.status == 0 && now - t->start > t->answer) {
    t->aborted = transport_failure::timed_out;
    t->r.error = "no answer within " + std::to_string(t->answer.count()) + " ms";
    return 1;
  }
  if (t->r.status != 0 && now - t->last_byte > t->idle) {
    t->aborted = transport_failure::timed_out;
    t->r.error = "silent for " + std::to_string(t->idle.count()) + " ms";
    return 1;
  }
  return 0;
}

transport_failure failure_of(CURLcode rc) {
  switch (rc) {
  case CURLE_OK: return transport_failure::none;
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_CONNECT: return transport_failure::unreachable;
  case CURLE_OPERATION_TIMEDOUT: return transport_failure::timed_out;
  case CURLE_WRITE_ERROR: return transport_failure::stopped; // on_data refused the bytes
  case CURLE_PARTIAL_FILE:
  case CURLE_GOT_NOTHING:
  case CURLE_SEND_ERROR:
  case CURLE_RECV_ERROR:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM: return transport_failure::cut;
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_USE_SSL_FAILED: return transport_failure::tls;
  default: return transport_failure::other;
  }
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return {};
  std::ostringstream s;
  s << in.rdbuf();
  std::string t = s.str();
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r' || t.back() == ' ')) t.pop_back();
  return t;
}

struct curl_deleter {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};
struct slist_deleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};

} // namespace

api_client::api_client(api_endpoint ep, client_options opt) : ep_(std::move(ep)), opt_(opt) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  token_ = ep_.token;
}

std::string api_client::bearer() {
  std::lock_guard lock(token_mu_);
  if (ep_.token_file.empty()) return token_;
  const auto now = std::chrono::steady_clock::now();
  if (token_stale_ || now - token_read_ >= opt_.token_reread) {
    if (std::string t = read_file(ep_.token_file); !t.empty()) token_ = std::move(t);
    token_read_ = now;
    token_stale_ = false;
  }
  return token_;
}

void api_client::token_rejected() {
  std::lock_guard lock(token_mu_);
  token_stale_ = true;
}

http_response api_client::perform(transfer& t) {
  std::unique_ptr<CURL, curl_deleter> c(curl_easy_init());
  if (!c) return {.error = "curl_easy_init failed"};
  CURL* h = c.get();
  std::unique_ptr<curl_slist, slist_deleter> headers;
  auto add = [&](const std::string& line) {
    headers.reset(curl_slist_append(headers.release(), line.c_str()));
  };
  add("Accept: application/json");
  if (!t.content_type.empty()) add("Content-Type: " + t.content_type);
  if (const std::string tok = bearer(); !tok.empty()) add("Authorization: Bearer " + tok);
  curl_easy_setopt(h, CURLOPT_URL, t.url.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(h, CURLOPT_USERAGENT, "sluiced/0.1 (kubernetes sync)");
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, long(opt_.connect_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TIMEOUT, long(t.max.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(h, CURLOPT_XFERINFODATA, &t);
  if (t.method != "GET") {
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, t.method.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, t.body.c_str());
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, long(t.body.size()));
  }
  curl_blob ca{}, cert{}, key{};
  if (!ep_.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, ep_.ca_file.c_str());
  if (!ep_.ca_pem.empty()) {
    ca = {ep_.ca_pem.data(), ep_.ca_pem.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &ca);
  }
  if (ep_.insecure) {
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
  }
  if (!ep_.cert_file.empty()) curl_easy_setopt(h, CURLOPT_SSLCERT, ep_.cert_file.c_str());
  if (!ep_.key_file.empty()) curl_easy_setopt(h, CURLOPT_SSLKEY, ep_.key_file.c_str());
  if (!ep_.cert_pem.empty()) {
    cert = {ep_.cert_pem.data(), ep_.cert_pem.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cert);
    curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
  }
  if (!ep_.key_pem.empty()) {
    key = {ep_.key_pem.data(), ep_.key_pem.size(), CURL_BLOB_NOCOPY};
    curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &key);
    curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
  }
  t.answer = opt_.answer_timeout;
  t.start = t.last_byte = std::chrono::steady_clock::now();
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    t.r.status = code;
  } else {
    // A stream cut mid-body (reset, stop, timeout) is a transport error even after a 200.
    t.r.status = 0;
    t.r.failure = rc == CURLE_ABORTED_BY_CALLBACK ? t.aborted : failure_of(rc);
    if (t.r.error.empty()) t.r.error = curl_easy_strerror(rc);
  }
  if (t.r.status == 401) token_rejected();
  return std::move(t.r);
}

http_response api_client::get(const std::string& path) {
  transfer t;
  t.url = ep_.server + path;
  t.max = opt_.request_timeout;
  t.idle = opt_.answer_timeout;
  return perform(t);
}

http_response api_client::send(const std::string& method, const std::string& path,
                               const std::string& body, const std::string& content_type) {
  transfer t;
  t.method = method;
  t.url = ep_.server + path;
  t.body = body;
  t.content_type = content_type;
  t.max = opt_.request_timeout;
  t.idle = opt_.answer_timeout;
  return perform(t);
}

http_response api_client::stream(const std::string& path,
                                 const std::function<bool(std::string_view)>& on_data,
                                 const std::atomic<bool>& stop, std::chrono::seconds max,
                                 std::chrono::milliseconds idle) {
  transfer t;
  t.url = ep_.server + path;
  t.on_data = &on_data;
  t.stop = &stop;
  t.max = max;
  t.idle = idle;
  return perform(t);
}

} // namespace sluice::k8s
