// Progress ("已完成 x/n"), the submit button (enabled only when every item is answered; the server
// refuses incomplete answers too) and a live preview of the result from the dry-run scoring API.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) return;
  var itemNames = Array.prototype.map.call(form.querySelectorAll("fieldset[data-item]"), function (el) {
    return el.dataset.item;
  });
  var answeredEl = document.getElementById("answered-count");
  var bar = document.getElementById("progress-bar");
  var preview = document.getElementById("live-preview");
  var submits = form.querySelectorAll("button[name=action][value=submit]");
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var pending = null;

  function chosen(code) {
    var input = form.querySelector('input[name="item_' + code + '"]:checked');
    return input ? input.value : null;
  }

  function answers() {
    var out = {};
    itemNames.forEach(function (code) {
      var value = chosen(code);
      if (value !== null) out[code] = /^-?\d+$/.test(value) ? parseInt(value, 10) : value;
    });
    form.querySelectorAll("[data-fact]").forEach(function (el) {
      var code = el.dataset.fact;
      if (el.dataset.factType === "icd10_list") {
        var codes = Array.prototype.map.call(el.querySelectorAll("input[type=checkbox]:checked"), function (box) {
          return box.value;
        });
        var other = el.querySelector("input[type=text]");
        if (other && other.value.trim()) {
          other.value.split(/[\s,，、;；]+/).forEach(function (c) { if (c) codes.push(c.toUpperCase()); });
        }
        out[code] = codes;
      } else if (el.dataset.factType === "nonneg_int") {
        var number = el.querySelector("input");
        out[code] = number && number.value !== "" ? parseInt(number.value, 10) : 0;
      } else if (el.dataset.factType === "bool") {
        var box = el.querySelector("input[type=checkbox]");
        out[code] = !!(box && box.checked);
      }
    });
    return out;
  }

  function refresh() {
    var done = itemNames.filter(function (code) { return chosen(code) !== null; }).length;
    var total = itemNames.length;
    answeredEl.textContent = done;
    bar.style.width = (total ? Math.round((done * 100) / total) : 0) + "%";
    bar.setAttribute("aria-valuenow", String(done));
    submits.forEach(function (button) { button.disabled = done < total; });
    itemNames.forEach(function (code) {
      if (chosen(code) !== null) {
        var fieldset = form.querySelector('fieldset[data-item="' + code + '"]');
        if (fieldset) fieldset.classList.remove("is-missing");
      }
    });
    if (!preview) return;
    if (done < total) {
      preview.textContent = preview.dataset.incomplete.replace("%(n)s", String(total - done));
      return;
    }
    if (pending) pending.abort();
    pending = new AbortController();
    fetch(preview.dataset.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: JSON.stringify({ scale: form.dataset.scale, answers: answers() }),
      credentials: "same-origin",
      signal: pending.signal,
    })
      .then(function (response) { return response.json().then(function (body) { return [response.ok, body]; }); })
      .then(function (pair) {
        var ok = pair[0], body = pair[1];
        if (!ok) {
          preview.textContent = (body.errors || []).map(function (e) { return e.reason; }).join("；") || body.detail;
          return;
        }
        var text = preview.dataset.result.replace("%(level)s", body.level_name);
        if (body.total !== null) text += preview.dataset.total.replace("%(total)s", String(body.total));
        if (!body.verified) text += preview.dataset.unverified;
        preview.textContent = text;
      })
      .catch(function () {});
  }

  form.addEventListener("change", refresh);
  form.addEventListener("input", function (event) { if (event.target.type !== "radio") refresh(); });
  refresh();
})();
