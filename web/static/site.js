// Sorting and filtering of the ranking tables, in Vietnamese order (Intl.Collator "vi": Ă, Â, Đ… in their places)
// and numbers by value. Classic script (no modules, no fetch): the pages work opened from disk.
(function () {
  "use strict";
  // Default sensitivity: tone marks decide (Tân Thanh, Tân Thành, Tân Thạnh), as the server-side sort_key does.
  var collator = new Intl.Collator("vi", { numeric: true });

  function cellValue(row, index) {
    var cell = row.children[index];
    return cell ? (cell.getAttribute("data-value") || cell.textContent || "").trim() : "";
  }

  function sortBy(table, index, kind, header) {
    var body = table.tBodies[0];
    var ascending = header.getAttribute("aria-sort") !== "ascending";
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (kind === "number") {
        if (x === "" && y === "") return 0;
        if (x === "") return 1;  // no value: always last
        if (y === "") return -1;
        return ascending ? Number(x) - Number(y) : Number(y) - Number(x);
      }
      return ascending ? collator.compare(x, y) : collator.compare(y, x);
    });
    rows.forEach(function (r) { body.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (c) { c.removeAttribute("aria-sort"); });
    header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
  }

  Array.prototype.forEach.call(document.querySelectorAll("table.sortable"), function (table) {
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (header, index) {
      var button = header.querySelector("button");
      if (button) {
        button.addEventListener("click", function () { sortBy(table, index, button.getAttribute("data-kind"), header); });
      }
    });
    table.setAttribute("data-ready", "yes");
  });

  // Controls that only work with this script are hidden in the page until it runs (without JavaScript the tables
  // stay as written, in rank order).
  Array.prototype.forEach.call(document.querySelectorAll(".needs-js"), function (element) {
    element.hidden = false;
  });

  Array.prototype.forEach.call(document.querySelectorAll("select.group-filter"), function (select) {
    var table = document.getElementById(select.getAttribute("data-table"));
    select.addEventListener("change", function () {
      Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
        row.hidden = select.value !== "" && row.getAttribute("data-group") !== select.value;
      });
    });
  });
})();
