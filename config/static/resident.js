// The resident form without a build step: the chosen service's standard price appears at once,
// and typing in "Find the service" narrows the list. Without JavaScript the page still works
// (the price is in each option and on the confirm page; Find asks the server).
(function () {
  "use strict";
  var select = document.getElementById("item");
  var priceNow = document.getElementById("price-now");
  var query = document.getElementById("q");
  if (select && priceNow) {
    var label = priceNow.dataset.label + ": ";
    var show = function () {
      var option = select.options[select.selectedIndex];
      priceNow.textContent = "";
      if (option && option.dataset.price) {
        priceNow.append(label);
        var strong = document.createElement("strong");
        strong.textContent = option.dataset.price;
        priceNow.append(strong);
      }
    };
    select.addEventListener("change", show);
    show();
  }
  if (select && query) {
    query.addEventListener("input", function () {
      var words = query.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
      var first = null;
      Array.prototype.forEach.call(select.querySelectorAll("option[data-words]"), function (option) {
        var hit = words.length === 0 || words.some(function (w) { return option.dataset.words.indexOf(w) >= 0; });
        option.hidden = !hit;
        if (hit && !first) { first = option; }
      });
    });
  }
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
})();
