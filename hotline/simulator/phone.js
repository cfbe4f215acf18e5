// The phone simulator: texts and calls through the simulator's endpoints, which sign them and post
// them to the hotline's own Twilio webhooks. No build step; progressive enough for a demo.
(function () {
  "use strict";
  const root = document.getElementById("simulator");
  if (!root) return;
  const words = JSON.parse(root.dataset.strings || "{}");
  const $ = (id) => document.getElementById(id);
  const state = { phone: root.dataset.phone || "", seen: "", call: null, digits: "", gather: null, timer: null };

  async function postJson(url, body) {
    const response = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    });
    let data = {};
    try { data = await response.json(); } catch (e) { data = {}; }
    if (!response.ok) {
      const detail = typeof data.detail === "string" ? data.detail : words.failed.replace("{status}", data.status || response.status);
      throw new Error(detail);
    }
    return data;
  }

  function choose(phone) {
    state.phone = phone;
    state.seen = "";
    endCall(false);
    $("phone-title").textContent = phone;
    $("own-phone").value = phone;
    document.querySelectorAll(".sim-person").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.phone === phone)));
    const url = new URL(window.location.href);
    url.searchParams.set("phone", phone);
    window.history.replaceState(null, "", url);
    refresh();
  }

  function render(data) {
    const who = data.who || {};
    $("phone-title").textContent = data.phone;
    $("phone-who").textContent = who.name ? who.name + (who.kind === "provider" ? " · " + (who.status || "") : "") : "";
    const key = JSON.stringify(data.bubbles.map((b) => [b.id, b.status]));
    if (key !== state.seen) {
      state.seen = key;
      const list = $("bubbles");
      list.replaceChildren();
      if (!data.bubbles.length) {
        const li = document.createElement("li");
        li.className = "empty-thread";
        li.textContent = words.empty;
        list.append(li);
      }
      for (const b of data.bubbles) {
        const li = document.createElement("li");
        li.className = "bubble " + (b.mine ? "mine" : "theirs");
        li.dataset.kind = b.kind;
        li.dataset.id = b.id;
        li.textContent = b.body;
        const meta = document.createElement("span");
        meta.className = "meta";
        meta.textContent = b.time + (b.kind === "text" && b.status === "queued" ? " · " + words.queued : "");
        li.append(meta);
        list.append(li);
      }
      list.scrollTop = list.scrollHeight;
    }
    const ringing = $("ringing");
    ringing.replaceChildren();
    ringing.hidden = !(data.calls && data.calls.length) || !!state.call;
    for (const call of data.calls || []) {
      const label = document.createElement("div");
      label.textContent = words.ringing;
      const answer = document.createElement("button");
      answer.type = "button";
      answer.className = "go";
      answer.textContent = words.reply;
      answer.addEventListener("click", () => answerSurveyCall(call));
      ringing.append(label, answer);
    }
  }

  async function refresh() {
    if (!state.phone) return;
    try {
      const response = await fetch("/simulator/thread?phone=" + encodeURIComponent(state.phone), { headers: { Accept: "application/json" } });
      if (response.ok) render(await response.json());
    } catch (e) { /* the next poll tries again */ }
  }

  async function sendText(event) {
    event.preventDefault();
    const body = $("compose-body").value;
    if (!state.phone) { alert(words.bad_phone); return; }
    if (!body.trim()) return;
    $("send").disabled = true;
    try {
      render(await postJson("/simulator/text", { phone: state.phone, body }));
      $("compose-body").value = "";
    } catch (e) {
      alert(e.message);
    } finally {
      $("send").disabled = false;
      $("compose-body").focus();
    }
  }

  // --- calls ---------------------------------------------------------------------------------
  function show(id, visible) { $(id).hidden = !visible; }

  function hear(lines) {
    for (const line of lines) {
      const li = document.createElement("li");
      li.textContent = line;
      $("heard").append(li);
    }
    $("heard").scrollTop = $("heard").scrollHeight;
  }

  async function step(path, fields) {
    const data = await postJson("/simulator/call", { phone: state.phone, path, call_sid: state.call ? state.call.sid : "", fields: fields || {} });
    if (!state.call) state.call = { sid: data.call_sid };
    return data.screen;
  }

  async function follow(screen) {
    hear(screen.says);
    state.gather = screen.gather;
    state.call.redirect = screen.redirect;
    state.call.enqueue = screen.enqueue;
    state.call.record = screen.record;
    state.digits = "";
    show("no-key", !!screen.gather && !!screen.redirect);
    show("answered", !!screen.enqueue);
    show("nobody", !!screen.enqueue);
    show("leave-message", !!screen.record);
    if (screen.enqueue) $("call-status").textContent = words.in_queue.replace("{queue}", screen.enqueue.queue);
    if (!screen.gather && !screen.enqueue && !screen.record) {
      if (screen.redirect) return follow(await step(screen.redirect, {}));
      if (screen.hangup || !screen.says.length || screen.leave) return endCall(true);
    }
  }

  async function dial() {
    if (!state.phone) { alert(words.bad_phone); return; }
    $("heard").replaceChildren();
    $("call-status").textContent = words.calling;
    show("dial", false);
    show("hang-up", true);
    state.call = null;
    try {
      await follow(await step("/voice/twilio/incoming", { CallStatus: "ringing" }));
    } catch (e) { alert(e.message); endCall(false); }
  }

  async function answerSurveyCall(call) {
    selectTab("call");
    $("heard").replaceChildren();
    $("call-status").textContent = words.ringing;
    show("dial", false);
    show("hang-up", true);
    state.call = { sid: call.call_sid, survey: call.survey };
    try {
      await follow(await step("/voice/twilio/survey/ask?survey=" + call.survey, {}));
    } catch (e) { alert(e.message); endCall(false); }
  }

  async function press(key) {
    if (!state.call || !state.gather) return;
    hear(["⌨ " + key]);
    const finish = state.gather.finishOnKey || "";
    const wanted = parseInt(state.gather.numDigits || "0", 10);
    if (key !== finish) state.digits += key;
    if (key === finish || (wanted && state.digits.length >= wanted)) {
      const action = state.gather.action;
      state.gather = null;
      try { await follow(await step(action, { Digits: state.digits })); } catch (e) { alert(e.message); }
    }
  }

  async function endCall(notify) {
    const call = state.call;
    state.call = null;
    state.gather = null;
    ["no-key", "answered", "nobody", "leave-message", "hang-up"].forEach((id) => show(id, false));
    show("dial", true);
    if (call && notify !== false) {
      const path = call.survey ? "/voice/twilio/survey/status?survey=" + call.survey : "/voice/twilio/status";
      try {
        await postJson("/simulator/call", { phone: state.phone, path, call_sid: call.sid, fields: { CallStatus: "completed" } });
      } catch (e) { /* the call is over either way */ }
      $("call-status").textContent = words.ended;
      refresh();
    }
  }

  function selectTab(name) {
    for (const tab of ["messages", "call"]) {
      $("tab-" + tab).setAttribute("aria-selected", String(tab === name));
      $("pane-" + tab).hidden = tab !== name;
    }
  }

  $("own-number").addEventListener("submit", (event) => {
    event.preventDefault();
    const typed = $("own-phone").value.trim();
    if (!typed) return;
    fetch("/simulator/thread?phone=" + encodeURIComponent(typed), { headers: { Accept: "application/json" } })
      .then(async (r) => {
        const data = await r.json();
        if (!r.ok) throw new Error(typeof data.detail === "string" ? data.detail : words.bad_phone);
        choose(data.phone);
      })
      .catch((e) => alert(words.bad_phone + "\n" + e.message));
  });
  document.querySelectorAll(".sim-person").forEach((b) => b.addEventListener("click", () => {
    choose(b.dataset.phone);
    document.querySelector(".phone").scrollIntoView({ block: "start", behavior: "smooth" });
  }));
  $("compose").addEventListener("submit", sendText);
  $("compose-body").addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); $("compose").requestSubmit(); }
  });
  $("tab-messages").addEventListener("click", () => selectTab("messages"));
  $("tab-call").addEventListener("click", () => selectTab("call"));
  $("dial").addEventListener("click", dial);
  $("hang-up").addEventListener("click", () => endCall(true));
  $("no-key").addEventListener("click", async () => { state.gather = null; if (state.call && state.call.redirect) await follow(await step(state.call.redirect, {})); });
  $("answered").addEventListener("click", async () => { await follow(await step(state.call.enqueue.action, { QueueResult: "bridged", QueueTime: "20" })); });
  $("nobody").addEventListener("click", async () => { await follow(await step(state.call.enqueue.action, { QueueResult: "leave", QueueTime: "120" })); });
  $("leave-message").addEventListener("click", async () => {
    const recording = "https://api.twilio.com/2010-04-01/Accounts/AC55555555555555555555555555555555/Recordings/RE" + Math.random().toString(16).slice(2).padEnd(32, "0").slice(0, 32);
    await follow(await step(state.call.record.action, { RecordingUrl: recording, RecordingDuration: "12" }));
  });
  document.querySelectorAll(".key").forEach((b) => b.addEventListener("click", () => press(b.dataset.key)));
  if (state.phone) choose(state.phone);
  state.timer = window.setInterval(refresh, 2000);
})();
