// The summary tables: sort by any column whose header has data-sort ("text" or "number").
// The page is complete without this (server-rendered tables and SVG bars); sorting is extra.
// Headers become buttons (keyboard and touch), aria-sort tells screen readers the order.

const collator = new Intl.Collator(document.documentElement.lang || "ja", { numeric: true });

function cellValue(row, index, kind) {
  const cell = row.children[index];
  const raw = cell?.dataset.value ?? cell?.textContent.trim() ?? "";
  if (kind !== "number") return raw;
  return raw === "" ? Number.NEGATIVE_INFINITY : Number(raw);
}

function sortBy(table, header, index) {
  const kind = header.dataset.sort;
  const ascending = header.getAttribute("aria-sort") !== "ascending";
  for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
  header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  const body = table.tBodies[0];
  const rows = Array.from(body.rows);
  rows.sort((a, b) => {
    const x = cellValue(a, index, kind);
    const y = cellValue(b, index, kind);
    const order = kind === "number" ? x - y : collator.compare(x, y);
    return ascending ? order : -order;
  });
  body.append(...rows);
}

function makeSortable(table) {
  const headers = Array.from(table.tHead?.rows[0]?.cells ?? []);
  headers.forEach((header, index) => {
    if (!header.dataset.sort) return;
    const button = document.createElement("button");
    button.type = "button";
    button.className = "sort-button";
    button.append(...header.childNodes);
    header.append(button);
    button.addEventListener("click", () => sortBy(table, header, index));
  });
}

function start() {
  for (const table of document.querySelectorAll("table.sortable")) makeSortable(table);
}

if (document.readyState === "loading") {
  document.addEventListener("DOMContentLoaded", start);
} else {
  start();
}
