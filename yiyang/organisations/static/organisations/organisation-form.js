// Offer the areas that suit the chosen kind: a care centre sits at a street, every other kind at a
// community. Only a hint: the service checks the level, and the chosen area is never hidden.
// The form names its two fields in data-kind-field and data-area-field.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.querySelector("form[data-kind-field][data-area-field]"); if (!form) return;
  var kind = document.getElementById(form.dataset.kindField);
  var area = document.getElementById(form.dataset.areaField);
  if (!kind || !area) return;
  function offer(clearMismatch) {
    var wanted = kind.value === "care_centre" ? "street" : "community";
    Array.prototype.forEach.call(area.querySelectorAll("option[data-level]"), function (option) {
      var fits = option.dataset.level === wanted;
      if (!fits && option.selected && clearMismatch) area.value = "";
      option.hidden = !fits && !option.selected;
    });
  }
  kind.addEventListener("change", function () { offer(true); });
  offer(false);
});
