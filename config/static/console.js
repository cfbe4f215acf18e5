// The console's keys and the live queue. Any element with data-key="x" answers the key x (a
// button is pressed, a field focused); the queue refetches its rows when a ticket changes.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName);
    if (event.key === "Escape" && typing) { event.target.blur(); return; }
    if (typing || event.ctrlKey || event.metaKey || event.altKey) return;
    var target = document.querySelector('[data-key="' + event.key + '"]');
    if (!target) return;
    event.preventDefault();
    if (target.tagName === "BUTTON" || target.tagName === "A") target.click(); else target.focus();
  });
})();

(function () {
  "use strict";
  var table = document.querySelector("table.queue");
  if (!table) return;
  var live = document.getElementById("live");
  var total = document.getElementById("queue-total");
  var selected = -1;

  function rows() { return Array.prototype.slice.call(document.querySelectorAll("#queue-body tr[data-number]")); }

  function select(index) {
    var all = rows();
    if (!all.length) return;
    selected = Math.max(0, Math.min(index, all.length - 1));
    all.forEach(function (row, i) { row.classList.toggle("selected", i === selected); });
    all[selected].focus();
  }

  function refresh(changed) {
    var keep = selected >= 0 && rows()[selected] ? rows()[selected].dataset.number : null;
    return fetch(table.dataset.rowsUrl, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (response.status === 401) { window.location.reload(); return null; }
        return response.ok ? response.text() : null;
      })
      .then(function (html) {
        if (html === null) return;
        var holder = document.createElement("table");
        holder.innerHTML = html;
        var body = holder.querySelector("tbody");
        document.getElementById("queue-body").replaceWith(body);
        total.textContent = "(" + body.dataset.total + ")";
        (changed || []).forEach(function (number) {
          var row = body.querySelector('tr[data-number="' + number + '"]');
          if (row) row.classList.add("flash");
        });
        if (keep) {
          var index = rows().findIndex(function (row) { return row.dataset.number === keep; });
          if (index >= 0) select(index);
        }
      });
  }

  if (window.EventSource) {
    var source = new EventSource("/queue/events");
    source.addEventListener("open", function () { live.dataset.state = "on"; });
    source.addEventListener("error", function () { live.dataset.state = "off"; });
    source.addEventListener("tickets", function (event) {
      var data = {};
      try { data = JSON.parse(event.data); } catch (e) { data = {}; }
      refresh(data.numbers);
    });
  }

  document.addEventListener("keydown", function (event) {
    if (/^(INPUT|SELECT|TEXTAREA)$/.test(event.target.tagName)) return;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (event.key === "j") { select(selected + 1); }
    else if (event.key === "k") { select(selected - 1); }
    else if (event.key === "r") { refresh([]); }
    else if (event.key === "Enter" && selected >= 0 && rows()[selected]) {
      window.location.href = "/tickets/" + rows()[selected].dataset.number;
    }
  });
})();

// A ticket page follows its ticket: when it changes (a provider's answer, another operator's
// action), the page reloads unless someone is typing in one of its forms.
(function () {
  "use strict";
  var holder = document.querySelector("[data-live-ticket]");
  if (!holder || !window.EventSource) return;
  var number = holder.dataset.liveTicket;
  var source = new EventSource("/queue/events");
  document.addEventListener("submit", function () { source.close(); });  // our own action: its answer reloads
  source.addEventListener("tickets", function (event) {
    var data = {};
    try { data = JSON.parse(event.data); } catch (e) { data = {}; }
    var mine = !data.numbers || !data.numbers.length || data.numbers.indexOf(number) >= 0;
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test((document.activeElement || {}).tagName || "");
    if (mine && !typing) window.location.replace("/tickets/" + number);
  });
})();

// The new-ticket form: the classifier's suggestion for what is typed, and the item search.
(function () {
  "use strict";
  var form = document.getElementById("new-ticket");
  if (!form) return;
  var text = document.getElementById("request-text");
  var box = document.getElementById("item-suggestions");
  var select = document.getElementById("item-select");
  var search = document.getElementById("item-search");
  var timer = null;

  function choose(code) { select.value = code; }

  search.addEventListener("change", function () { if (search.value) choose(search.value.trim()); });
  text.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      fetch("/tickets/new/suggest?text=" + encodeURIComponent(text.value), { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          box.textContent = "";
          data.suggestions.forEach(function (s, i) {
            var button = document.createElement("button");
            button.type = "button";
            button.className = "secondary";
            button.textContent = s.name_zh + " / " + s.name_en + " " + Math.round(s.confidence * 100) + "%";
            button.addEventListener("click", function () { choose(s.code); });
            box.appendChild(button);
            if (i === 0 && !select.value) choose(s.code);
          });
        });
    }, 300);
  });
})();

// The screen pop: when the logged-in operator's extension rings, open the new-ticket form with
// the caller (unless they are typing: then a banner offers it).
(function () {
  "use strict";
  var meta = document.querySelector('meta[name="hotline-extension"]');
  if (!meta || !window.EventSource) return;
  var source = new EventSource("/voice/events?extension=" + encodeURIComponent(meta.content));
  // "ready" once the server listens for this extension's calls (after every reconnect too)
  source.addEventListener("ready", function () { document.documentElement.dataset.screenPop = "ready"; });
  source.addEventListener("error", function () { document.documentElement.dataset.screenPop = "off"; });
  source.addEventListener("screen_pop", function (event) {
    var pop = {};
    try { pop = JSON.parse(event.data); } catch (e) { return; }
    var target = "/tickets/new?channel=phone&call=" + encodeURIComponent(pop.call_id) +
      "&phone=" + encodeURIComponent(pop.caller || "");
    var typing = /^(INPUT|SELECT|TEXTAREA)$/.test((document.activeElement || {}).tagName || "");
    if (!typing) { window.location.href = target; return; }
    var banner = document.getElementById("screen-pop") || document.createElement("a");
    banner.id = "screen-pop";
    banner.className = "screen-pop";
    banner.href = target;
    banner.textContent = "☎ " + (pop.caller || "") + (pop.resident && pop.resident.name ? " · " + pop.resident.name : "");
    document.body.insertBefore(banner, document.body.firstChild);
  });
})();
