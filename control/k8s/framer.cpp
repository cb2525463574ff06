#include "control/k8s/framer.hpp"

namespace sluice::k8s {

void json_framer::reset() noexcept {
  buf_.clear();
  depth_ = 0;
  in_string_ = false;
  escape_ = false;
}

bool json_framer::feed(std::string_view bytes, std::vector<std::string>& out) {
  for (const char c : bytes) {
    if (depth_ == 0) {
      if (c == ' ' || c == '\n' || c == '\r' || c == '\t') continue;
      if (c != '{') {
        reset();
        return false;
      }
    }
    buf_.push_back(c);
    // Checked before a closing brace can hand the frame out: no frame ever exceeds the limit.
    if (buf_.size() > max_) {
      reset();
      return false;
    }
    if (in_string_) {
      if (escape_)
        escape_ = false;
      else if (c == '\\')
        escape_ = true;
      else if (c == '"')
        in_string_ = false;
    } else if (c == '"') {
      in_string_ = true;
    } else if (c == '{' || c == '[') {
      ++depth_;
    } else if (c == '}' || c == ']') {
      if (--depth_ == 0) {
        out.push_back(std::move(buf_));
        buf_.clear();
      }
    }
  }
  return true;
}

} // namespace sluice::k8s
