// Behaviour shared by every page, kept out of the HTML: the Content-Security-Policy allows no inline
// script and no on* handler attributes.
document.addEventListener("DOMContentLoaded", function () {
  // A <select data-autosubmit> submits its form when the choice changes (language switch, filters).
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      target.form.submit();
    }
  });
});
