// Reading saved web pages (.html): the charset, then the text as lines without the markup.
#pragma once

#include <cstddef>
#include <string>

#include "extracted_text.h"

namespace speechdex::indexer {

/// How far into a page html_text() looks for a <meta> naming the charset. The HTML standard's
/// prescan stops at 1024 bytes; saved pages of Chinese government sites often carry long
/// comments and scripts before their meta tag, and looking further costs nothing.
inline constexpr size_t kHtmlMetaScanBytes = 4096;

/// The text of a saved web page held in `bytes`, as lines.
///
/// Charset: a byte order mark (UTF-8, UTF-16) wins; else the charset a <meta charset=…> or
/// <meta http-equiv="Content-Type" content="…; charset=…"> names in the first
/// kHtmlMetaScanBytes bytes, converted strictly (gb2312 and gbk read as GB18030, their
/// superset; big5 as Big5, else Big5-HKSCS; utf-16 in a meta as UTF-8, as browsers do);
/// else, or when ICU does not know the name, decode_text() detects it. `encoding` names the
/// charset used ("gb18030", "utf-8", ...).
///
/// Text: the markup is parsed by libxml2's HTML parser (recovering from errors, no network).
/// The contents of script, style, noscript, template, iframe, svg and math and comments are
/// left out. Block elements (p, div, li, td, h1, ...) and br end lines; entities are
/// decoded; runs of ASCII white space become one space and lines are trimmed of it (other
/// spaces, such as U+00A0 and U+3000, are kept); lines left empty are dropped.
///
/// Furniture: the <title> is furniture "html title". Navigation chrome is furniture
/// "navigation": nav, aside, menu, select, button, header and footer (when not inside an
/// article, aside, main, nav or section, where they belong to that section, as in ARIA),
/// elements with an ARIA role of navigation, banner, contentinfo, complementary, search,
/// menu or menubar; and, by looser rules, forms and block elements whose class or id names a
/// navigation bar, menu, breadcrumb, footer, copyright line, share bar or sidebar: these
/// two are not chrome when they hold more than half of the page's text (a page wrapped in
/// one form, a content column named "main-nav-body").
///
/// Throws InputError (without context) when the bytes do not decode: with a BOM or a meta
/// charset, the message names the charset tried and the byte offset of the first bad byte.
/// With `lossy` (--lossy), what does not decode becomes U+FFFD and `replaced` says so.
ExtractedText html_text(const std::string& bytes, bool lossy = false);

}  // namespace speechdex::indexer
