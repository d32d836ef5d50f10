// The report as one self-contained HTML file (include/reinscore/app/evaluation.hpp):
// inline CSS and SVG, no script, no external resource, a print stylesheet for A4.
// Deterministic: the same Document gives the same bytes.
#include <reinscore/app/evaluation.hpp>
#include <reinscore/app/render.hpp>

#include <cmath>
#include <cstdio>
#include <string>

namespace reinscore::app {

namespace {

std::string esc(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", x);
  return buf;
}

// Colour-blind-safe (Okabe and Ito): blue points, vermillion reference lines; text and
// axes in near-black on white (contrast well above 4.5:1).
constexpr const char* ink = "#1a1a1a";
constexpr const char* point = "#0072B2";
constexpr const char* refline = "#D55E00";
constexpr const char* grid = "#d0d0d0";

constexpr const char* css = R"css(
:root { color: #1a1a1a; background: #fff; }
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; font-size: 11pt;
       line-height: 1.45; max-width: 58em; margin: 0 auto; padding: 1.5em; }
h1 { font-size: 1.8em; margin: 0.2em 0 0.4em; }
h2 { font-size: 1.35em; border-bottom: 2px solid #0072B2; padding-bottom: 0.15em;
     margin-top: 2em; }
.banner { border: 2px solid #D55E00; background: #fff4ec; padding: 0.5em 0.8em;
          margin: 0.5em 0; font-weight: bold; }
.note { border-left: 4px solid #0072B2; background: #f2f7fb; padding: 0.4em 0.8em;
        margin: 0.6em 0; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.9em; }
caption { text-align: left; font-weight: bold; padding-bottom: 0.3em; }
th, td { border-bottom: 1px solid #c8c8c8; padding: 0.2em 0.6em; vertical-align: top; }
th { text-align: left; background: #eef2f5; }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
figure { margin: 0.8em 0; }
figcaption { font-weight: bold; margin-bottom: 0.2em; }
svg { max-width: 100%; height: auto; }
code, .code { font-family: "DejaVu Sans Mono", monospace; font-size: 0.85em;
              background: #f4f4f4; padding: 0.3em 0.5em; display: block;
              white-space: pre-wrap; word-break: break-all; }
nav ol { columns: 2; }
@page { size: A4; margin: 16mm 14mm 18mm; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  nav { display: none; }
  section { break-before: page; }
  section#cover { break-before: auto; }
  h2, caption, figcaption { break-after: avoid; }
  thead { display: table-header-group; }
  tr, figure, .banner, .note { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}
)css";

bool numeric(const Column& c) { return c.kind != Kind::text; }

std::string header_text(const Document& doc, const std::string& name) {
  const auto it = doc.headers.find(name);
  return it == doc.headers.end() ? name : it->second;
}

void table_html(std::string& out, const Table& t, const Catalog& cat, const Document& doc) {
  out += "<table>\n<caption>" + esc(t.title) + "</caption>\n<thead><tr>";
  for (const auto& c : t.columns)
    out += "<th scope=\"col\">" + esc(header_text(doc, c.name)) + "</th>";
  out += "</tr></thead>\n<tbody>\n";
  for (std::size_t r = 0; r < t.rows(); ++r) {
    out += "<tr>";
    for (const auto& c : t.columns) {
      std::string cell = cell_text(c, r, t.min_cell);
      // A p-value too small for its decimals reads "<0.0001", not "0.0000".
      if (c.kind == Kind::p_value && c.cell(r) == Cell::value && c.digits > 0 &&
          c.values[r] < 0.5 * std::pow(10.0, -c.digits))
        cell = "<0." + std::string(static_cast<std::size_t>(c.digits - 1), '0') + "1";
      out += numeric(c) ? "<td class=\"n\">" + esc(cat.number(cell)) + "</td>"
                        : "<td>" + esc(cell) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody>\n</table>\n";
}

// A horizontal chart: one row per label, a dot with its interval (or a bar), on an axis
// from axis_min to axis_max with five gridlines labelled.
void chart_svg(std::string& out, const Chart& ch, const Catalog& cat, std::size_t id) {
  const double label_w = 190, plot_w = 420, right = 20, row_h = 24, top = 10, axis_h = 34;
  const double width = label_w + plot_w + right;
  const double height = top + row_h * static_cast<double>(ch.labels.size()) + axis_h;
  const double span = ch.axis_max - ch.axis_min;
  const auto xpos = [&](double v) {
    const double c = std::clamp((v - ch.axis_min) / (span > 0 ? span : 1), 0.0, 1.0);
    return label_w + c * plot_w;
  };
  const std::string tid = "chart" + std::to_string(id);
  out += "<figure>\n<figcaption id=\"" + tid + "t\">" + esc(ch.title) + "</figcaption>\n";
  out += "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 " + num(width) +
         " " + num(height) + "\" width=\"" + num(width) + "\" height=\"" + num(height) +
         "\" aria-labelledby=\"" + tid + "t " + tid + "d\">\n";
  out += "<desc id=\"" + tid + "d\">" + esc(ch.description) + "</desc>\n";
  const double plot_bottom = top + row_h * static_cast<double>(ch.labels.size());
  for (int k = 0; k <= 4; ++k) {
    const double v = ch.axis_min + span * k / 4.0;
    const double x = xpos(v);
    out += "<line x1=\"" + num(x) + "\" y1=\"" + num(top) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(plot_bottom) + "\" stroke=\"" + grid + "\" stroke-width=\"1\"/>\n";
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.2f", v);
    out += "<text x=\"" + num(x) + "\" y=\"" + num(plot_bottom + 16) +
           "\" font-size=\"11\" text-anchor=\"middle\" fill=\"" + ink + "\">" +
           esc(cat.number(buf)) + "</text>\n";
  }
  if (!std::isnan(ch.reference)) {
    const double x = xpos(ch.reference);
    out += "<line x1=\"" + num(x) + "\" y1=\"" + num(top - 4) + "\" x2=\"" + num(x) + "\" y2=\"" +
           num(plot_bottom) + "\" stroke=\"" + refline +
           "\" stroke-width=\"1.5\" stroke-dasharray=\"4 3\"/>\n";
  }
  for (std::size_t i = 0; i < ch.labels.size(); ++i) {
    const double y = top + row_h * (static_cast<double>(i) + 0.5);
    std::string label = ch.labels[i];
    if (label.size() > 30) label = label.substr(0, 29) + "…";
    out += "<text x=\"" + num(label_w - 8) + "\" y=\"" + num(y + 4) +
           "\" font-size=\"12\" text-anchor=\"end\" fill=\"" + ink + "\">" + esc(label) +
           "</text>\n";
    const double v = ch.value[i];
    if (std::isnan(v)) continue;
    if (ch.kind == Chart::Kind::bar) {
      const double x0 = xpos(std::max(ch.axis_min, 0.0));
      out += "<rect x=\"" + num(x0) + "\" y=\"" + num(y - 7) + "\" width=\"" +
             num(std::max(0.0, xpos(v) - x0)) + "\" height=\"14\" fill=\"" + point + "\"/>\n";
      continue;
    }
    if (i < ch.lo.size() && !std::isnan(ch.lo[i]) && !std::isnan(ch.hi[i]))
      out += "<line x1=\"" + num(xpos(ch.lo[i])) + "\" y1=\"" + num(y) + "\" x2=\"" +
             num(xpos(ch.hi[i])) + "\" y2=\"" + num(y) + "\" stroke=\"" + point +
             "\" stroke-width=\"2.5\"/>\n";
    out += "<circle cx=\"" + num(xpos(v)) + "\" cy=\"" + num(y) + "\" r=\"5\" fill=\"" + point +
           "\" stroke=\"#fff\" stroke-width=\"1\"/>\n";
  }
  out += "</svg>\n</figure>\n";
}

}  // namespace

std::string render_html(const Document& doc) {
  std::string out;
  out.reserve(1 << 16);
  out +=
      "<!DOCTYPE html>\n<html lang=\"" + esc(doc.lang) + "\">\n<head>\n<meta charset=\"utf-8\">\n";
  // No script, style only inline, images only as data: every request is refused.
  out +=
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
      "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n";
  out += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  out += "<meta name=\"generator\" content=\"reinscore\">\n";
  out += "<title>" + esc(doc.title) + "</title>\n<style>" + std::string(css) +
         "</style>\n</head>\n<body>\n";
  out += "<header>\n<h1>" + esc(doc.title) + "</h1>\n";
  for (const auto& b : doc.banners) out += "<p class=\"banner\">" + esc(b) + "</p>\n";
  out += "</header>\n<nav>\n<ol>\n";
  for (const auto& s : doc.sections)
    if (s.id != "cover")
      out += "<li><a href=\"#" + esc(s.id) + "\">" + esc(s.title) + "</a></li>\n";
  out += "</ol>\n</nav>\n";
  // Numbers are written as the document's language writes them (Catalog::number).
  const Catalog lang = Catalog::parse(doc.lang, "{}");
  const Catalog* cat = &lang;
  std::size_t charts = 0;
  for (const auto& s : doc.sections) {
    out += "<section id=\"" + esc(s.id) + "\">\n";
    if (s.id != "cover") out += "<h2>" + esc(s.title) + "</h2>\n";
    for (const auto& b : s.blocks) {
      switch (b.kind) {
        case Block::Kind::paragraph:
          if (b.table.name == "code")
            out += "<p class=\"code\">" + esc(b.text) + "</p>\n";
          else
            out += "<p>" + esc(b.text) + "</p>\n";
          break;
        case Block::Kind::note:
          out += "<p class=\"note\">" + esc(b.text) + "</p>\n";
          break;
        case Block::Kind::table:
          table_html(out, b.table, *cat, doc);
          break;
        case Block::Kind::chart:
          chart_svg(out, b.chart, *cat, ++charts);
          break;
      }
    }
    out += "</section>\n";
  }
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace reinscore::app
