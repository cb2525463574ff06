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
  long max_seconds = 30;
  http_response r;
};

namespace {

size_t on_body(char* p, size_t size, size_t n, void* user) {
  auto* t = static_cast<api_client::transfer*>(user);
  const size_t len = size * n;
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

int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<api_client::transfer*>(user);
  return t->stop != nullptr && t->stop->load(std::memory_order_relaxed) ? 1 : 0;
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

api_client::api_client(api_endpoint ep, std::chrono::seconds token_reread)
    : ep_(std::move(ep)), reread_(token_reread) {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  token_ = ep_.token;
}

std::string api_client::bearer() {
  std::lock_guard lock(token_mu_);
  if (ep_.token_file.empty()) return token_;
  const auto now = std::chrono::steady_clock::now();
  if (token_stale_ || now - token_read_ >= reread_) {
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
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 5L);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, t.max_seconds);
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
  const CURLcode rc = curl_easy_perform(h);
  if (rc == CURLE_OK) {
    long code = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &code);
    t.r.status = code;
  } else {
    // A stream cut mid-body (reset, stop, timeout) is a transport error even after a 200.
    t.r.status = 0;
    t.r.error = curl_easy_strerror(rc);
  }
  if (t.r.status == 401) token_rejected();
  return std::move(t.r);
}

http_response api_client::get(const std::string& path) {
  transfer t;
  t.url = ep_.server + path;
  return perform(t);
}

http_response api_client::send(const std::string& method, const std::string& path,
                               const std::string& body, const std::string& content_type) {
  transfer t;
  t.method = method;
  t.url = ep_.server + path;
  t.body = body;
  t.content_type = content_type;
  return perform(t);
}

http_response api_client::stream(const std::string& path,
                                 const std::function<bool(std::string_view)>& on_data,
                                 const std::atomic<bool>& stop, long max_seconds) {
  transfer t;
  t.url = ep_.server + path;
  t.on_data = &on_data;
  t.stop = &stop;
  t.max_seconds = max_seconds;
  return perform(t);
}

} // namespace sluice::k8s
