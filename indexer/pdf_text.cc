// poppler's side of PDF reading: words with their boxes, page by page; the layout rules
// are pdf_layout's.
#include "pdf_text.h"

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include <algorithm>
#include <array>
#include <climits>
#include <memory>
#include <mutex>

#include "errors.h"
#include "pdf_layout.h"

namespace speechdex::indexer {
namespace {

// Bounds on what is kept in memory for hostile input; a 1,000-page document of Chinese text
// has about 1 million characters in 40,000 words (poppler's words are runs of CJK text), of
// English text about 400,000 words.
constexpr int kMaxPages = 10000;
constexpr size_t kMaxChars = 8'000'000;
constexpr size_t kMaxWords = 1'000'000;
constexpr size_t kMaxMessage = 160;

// poppler reports through one process-wide function; each thread collects its own calls'
// messages (or none), so nothing reaches stderr and threads do not mix their reasons.
thread_local std::string* poppler_message = nullptr;

void collect_poppler_message(const std::string& message, void* /*closure*/) {
  if (poppler_message != nullptr) *poppler_message = message;
}

class PopplerMessages {
 public:
  PopplerMessages() {
    static std::once_flag once;
    std::call_once(once,
                   [] { poppler::set_debug_error_function(collect_poppler_message, nullptr); });
    poppler_message = &last_;
  }
  ~PopplerMessages() { poppler_message = nullptr; }
  PopplerMessages(const PopplerMessages&) = delete;
  PopplerMessages& operator=(const PopplerMessages&) = delete;

  // The last message, one line of printable ASCII without poppler's "error (123): " prefix.
  std::string last() const {
    std::string_view m = last_;
    if (m.starts_with("error")) {
      const size_t colon = m.find(": ");
      if (colon != std::string_view::npos) m.remove_prefix(colon + 2);
    }
    std::string out;
    for (char c : m.substr(0, kMaxMessage)) out += c >= 0x20 && c < 0x7F ? c : ' ';
    return out;
  }

 private:
  std::string last_;
};

std::string to_string(const poppler::ustring& s) {
  const poppler::byte_array utf8 = s.to_utf8();
  return std::string(utf8.begin(), utf8.end());
}

// The box of a word turned so that its text runs left to right: poppler's rotation r is
// the direction of the text in quarter turns clockwise, in a page `width` x `height`.
PdfWord upright(const poppler::rectf& box, int rotation, double width, double height) {
  const double x0 = box.left();
  const double y0 = box.top();
  const double x1 = box.right();
  const double y1 = box.bottom();
  switch (rotation) {
    case 1:  // top to bottom; lines follow from right to left
      return PdfWord{.text = {}, .left = y0, .top = width - x1, .right = y1, .bottom = width - x0};
    case 2:  // upside down
      return PdfWord{.text = {},
                     .left = width - x1,
                     .top = height - y1,
                     .right = width - x0,
                     .bottom = height - y0};
    case 3:  // bottom to top; lines follow from left to right
      return PdfWord{
          .text = {}, .left = height - y1, .top = x0, .right = height - y0, .bottom = x1};
    default:
      return PdfWord{.text = {}, .left = x0, .top = y0, .right = x1, .bottom = y1};
  }
}

// Puts words in reading order by position: rows from the top (words overlapping vertically
// by half the smaller height), each row from the left. One column only; used where poppler's
// order cannot be trusted (text turned by a quarter or half turn comes out in the order of
// its blocks in the page's frame, measured: a /Rotate 270 page read bottom line first).
void sort_by_position(std::vector<PdfWord>& words) {
  std::stable_sort(words.begin(), words.end(), [](const PdfWord& a, const PdfWord& b) {
    return a.top + a.bottom < b.top + b.bottom;
  });
  auto row_start = words.begin();
  double top = 0;
  double bottom = 0;
  for (auto w = words.begin(); w != words.end(); ++w) {
    const double overlap = std::min(bottom, w->bottom) - std::max(top, w->top);
    if (w == row_start || overlap >= 0.5 * std::min(bottom - top, w->bottom - w->top)) {
      top = w == row_start ? w->top : std::min(top, w->top);
      bottom = w == row_start ? w->bottom : std::max(bottom, w->bottom);
      continue;
    }
    std::stable_sort(row_start, w,
                     [](const PdfWord& a, const PdfWord& b) { return a.left < b.left; });
    row_start = w;
    top = w->top;
    bottom = w->bottom;
  }
  std::stable_sort(row_start, words.end(),
                   [](const PdfWord& a, const PdfWord& b) { return a.left < b.left; });
}

PdfPage read_page(const poppler::page& page, size_t& chars, size_t& words) {
  // The page as displayed: poppler's boxes are in this frame.
  const poppler::rectf box = page.page_rect();
  double width = box.width();
  double height = box.height();
  const auto orientation = page.orientation();
  if (orientation == poppler::page::landscape || orientation == poppler::page::seascape) {
    std::swap(width, height);
  }
  // Without text_list_include_font, which doubles the time (measured: 0.6 s against 1.25 s
  // for 101 pages); the layout rules take a word's height for its size instead.
  std::vector<poppler::text_box> boxes = page.text_list();

  // The page's main direction: the rotation most of its characters have.
  std::array<size_t, 4> per_rotation{};
  for (const poppler::text_box& b : boxes) {
    const int r = b.rotation();
    if (r >= 0 && r < 4) per_rotation[static_cast<size_t>(r)] += b.text().size();
  }
  const int rotation = static_cast<int>(std::max_element(per_rotation.begin(), per_rotation.end()) -
                                        per_rotation.begin());

  PdfPage out;
  out.width = rotation % 2 == 0 ? width : height;
  out.height = rotation % 2 == 0 ? height : width;
  out.words.reserve(boxes.size());
  for (const poppler::text_box& b : boxes) {
    if (b.rotation() != rotation) continue;
    chars += b.text().size();
    if (chars > kMaxChars || ++words > kMaxWords) {
      throw InputError("too large: more than 8 million characters or 1 million words of text", "");
    }
    PdfWord w = upright(b.bbox(), rotation, width, height);
    w.text = to_string(b.text());
    w.space_after = b.has_space_after();
    out.words.push_back(std::move(w));
  }
  if (rotation != 0) sort_by_position(out.words);
  return out;
}

}  // namespace

ExtractedText pdf_text(const std::string& bytes) {
  if (bytes.size() > static_cast<size_t>(INT_MAX)) {
    throw InputError("too large: more than 2 GiB", "");
  }
  PopplerMessages messages;
  std::unique_ptr<poppler::document> doc(
      poppler::document::load_from_raw_data(bytes.data(), static_cast<int>(bytes.size())));
  if (!doc) {
    const std::string why = messages.last();
    throw InputError("not a PDF, or damaged beyond repair" +
                         (why.empty() ? std::string() : " (poppler: " + why + ")"),
                     "");
  }
  // A locked document must not be asked for its pages (poppler 22.12 crashes).
  if (doc->is_locked()) throw InputError("encrypted: a password is needed to open it", "");
  const int page_count = doc->pages();
  if (page_count > kMaxPages) {
    throw InputError("too large: " + std::to_string(page_count) + " pages (at most " +
                         std::to_string(kMaxPages) + " are read)",
                     "");
  }
  std::vector<PdfPage> pages;
  size_t chars = 0;
  size_t words = 0;
  for (int i = 0; i < page_count; ++i) {
    std::unique_ptr<poppler::page> page(doc->create_page(i));
    if (page) {
      pages.push_back(read_page(*page, chars, words));
    } else {
      pages.emplace_back();  // keeps page numbers in step for the furniture rules
    }
  }
  ExtractedText text = assemble_pdf_text(pages);
  bool has_text = false;
  size_t start = 0;
  for (size_t i = 0; i < text.furniture.size() && !has_text; ++i) {
    const size_t end = std::min(text.utf8.find('\n', start), text.utf8.size());
    has_text = text.furniture[i].empty() && end > start;
    start = end + 1;
  }
  if (!has_text) throw InputError("no text layer (scanned?)", "");
  return text;
}

}  // namespace speechdex::indexer
