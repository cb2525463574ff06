#pragma once
// Splits a WATCH response body into its JSON objects. The API server writes one object per
// event (newline-separated in practice), but HTTP chunk and TCP segment boundaries fall
// anywhere, so the framer finds object boundaries itself: it tracks brace depth outside
// strings (and escapes inside them) and cuts when depth returns to zero. Bytes between objects
// (whitespace, newlines) are skipped.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::k8s {

class json_framer {
public:
  // A frame larger than this is refused (the stream is broken or hostile).
  explicit json_framer(std::size_t max_frame = std::size_t(64) << 20) : max_(max_frame) {}

  // Appends every object completed by `bytes` to `out`. Returns false when the stream cannot be
  // framed (a byte outside any object that is not whitespace, or an oversized frame); the
  // framer is then reset and the caller drops the connection.
  bool feed(std::string_view bytes, std::vector<std::string>& out);

  // True when a frame is partially buffered (a connection closing now cut an event).
  bool partial() const noexcept { return !buf_.empty(); }
  void reset() noexcept;

private:
  std::string buf_;
  std::size_t max_;
  int depth_ = 0;
  bool in_string_ = false;
  bool escape_ = false;
};

} // namespace sluice::k8s
