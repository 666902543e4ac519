// Back office enhancements; every page works without them.
// "Add a row" buttons copy the last row of a list of form rows (settings
// repeaters, automation conditions) as a new blank row, renumbering its fields.
(function () {
  'use strict';

  // Replaces the row number `from` with `to` where a separator or the end follows
  // it, as in "departments.1", "departments.1.department-id", "s-departments-1-name", "cond1.name".
  function renumber(text, from, to) {
    return text.replace(new RegExp('(^|[^0-9])' + from + '(?=[.\\-]|$)'), '$1' + to);
  }

  function addRow(list) {
    var rows = list.querySelectorAll('[data-row]');
    if (rows.length === 0) { return; }
    var last = rows[rows.length - 1];
    var from = last.getAttribute('data-row');
    var to = String(Number(from) + 1);
    var copy = last.cloneNode(true);
    copy.setAttribute('data-row', to);
    copy.querySelectorAll('[name], [id], [for], [aria-describedby]').forEach(function (field) {
      ['name', 'id', 'for', 'aria-describedby'].forEach(function (attribute) {
        var value = field.getAttribute(attribute);
        if (value !== null) { field.setAttribute(attribute, renumber(value, from, to)); }
      });
      if (field.type === 'checkbox') {
        field.checked = false;
      } else if (field.type !== 'hidden' && 'value' in field) {
        field.value = field.tagName === 'SELECT' ? (field.options[0] ? field.options[0].value : '') : '';
      }
    });
    // A copied "remove" box belongs to saved rows only.
    copy.querySelectorAll('[data-saved-only]').forEach(function (element) { element.remove(); });
    copy.classList.add('new-row');
    last.parentNode.insertBefore(copy, last.nextSibling);
    var first = copy.querySelector('input:not([type=hidden]), select, textarea');
    if (first) { first.focus(); }
  }

  document.querySelectorAll('button[data-add-row]').forEach(function (button) {
    var list = document.getElementById(button.getAttribute('data-add-row'));
    if (!list) { return; }
    button.hidden = false;
    button.addEventListener('click', function () { addRow(list); });
  });
}());
