/*
 * Live officer queue and case page over /ws/queue/ (progressive enhancement: without this
 * script, or without websockets, the pages work as before and a reload shows the changes).
 *
 * Hooks in the markup (all optional; the script does nothing when neither is present):
 *   <table data-live-queue data-case-url="/petugas/kasus/0/">   the queue table
 *     <tr data-complaint-id="12"> … <td data-field="state">…</td> <td data-field="due">…</td>
 *   <… data-live-case="12">                                      a case page
 *   data-live-text-new / -changed / -changed-by / -reload / -moved on either element override the
 *   Indonesian default texts (templates pass their translated strings); on the queue,
 *   data-live-text-urgent / -urgent-due / -urgent-marked / -urgent-open / -urgent-label are the
 *   texts of the urgent-case alert.
 *
 * Urgent cases (docs/domain.md#urgency): an urgent case arriving in this queue, one marked urgent
 * by an officer, and one whose deadline is near ("urgent_due_soon", from the sweep) raise an alert
 * banner (role="alert", announced at once) above the queue, with a link to the case; each case and
 * kind of alert once per page.
 *
 * Every value from the server is put in the page with textContent, never as HTML.
 */
(function () {
  "use strict";

  var queue = document.querySelector("[data-live-queue]");
  var casePage = document.querySelector("[data-live-case]");
  if (!queue && !casePage) return;
  if (!("WebSocket" in window)) return;

  var host = queue || casePage;
  function text(name, fallback) {
    return host.getAttribute("data-live-text-" + name) || fallback;
  }
  var TEXT = {
    newCases: text("new", "{n} kasus baru"),
    changed: text("changed", "Kasus ini baru saja diubah"),
    changedBy: text("changed-by", "Kasus ini diubah oleh {who}"),
    reload: text("reload", "muat ulang"),
    moved: text("moved", "dipindahkan"),
    fresh: text("fresh", "baru"),
    urgent: text("urgent", "Kasus mendesak baru: {code}"),
    urgentDue: text("urgent-due", "Tenggat kasus mendesak segera berakhir: {code}"),
    urgentMarked: text("urgent-marked", "Kasus kini ditandai mendesak: {code}"),
    urgentOpen: text("urgent-open", "buka kasus"),
    urgentLabel: text("urgent-label", "mendesak"),
  };
  var STOP_CODES = { 4401: true, 4403: true }; // not logged in / not an officer: retrying won't help
  var watchedCase = casePage ? parseInt(casePage.getAttribute("data-live-case"), 10) : null;
  var pageUnit = queue ? queue.getAttribute("data-unit-id") : null;
  var newIds = {};
  var newCount = 0;
  var delay = 1000;
  var socket = null;

  // One polite live region for everything this script announces.
  var notice = document.createElement("div");
  notice.className = "live-notice";
  notice.setAttribute("role", "status");
  notice.setAttribute("aria-live", "polite");
  notice.hidden = true;
  host.parentNode.insertBefore(notice, host);

  // The urgent-case alert (queue only): assertive, so it is announced at once.
  var alertBox = null;
  var alerted = {};
  if (queue) {
    alertBox = document.createElement("div");
    alertBox.className = "live-alert notice";
    alertBox.setAttribute("role", "alert");
    alertBox.hidden = true;
    queue.parentNode.insertBefore(alertBox, notice);
  }

  function showAlert(kind, event) {
    var key = kind + ":" + String(event.id);
    if (!alertBox || alerted[key]) return;
    alerted[key] = true;
    var template = kind === "due" ? TEXT.urgentDue : kind === "marked" ? TEXT.urgentMarked : TEXT.urgent;
    var item = document.createElement("p");
    item.setAttribute("data-urgent-alert", kind);
    item.appendChild(
      document.createTextNode(template.replace("{code}", event.tracking_code_display || event.tracking_code) + " — ")
    );
    var link = document.createElement("a");
    link.href = caseUrl(event.id);
    link.textContent = TEXT.urgentOpen;
    item.appendChild(link);
    alertBox.insertBefore(item, alertBox.firstChild);
    alertBox.hidden = false;
  }

  function showNotice(message) {
    notice.textContent = "";
    notice.appendChild(document.createTextNode(message + " — "));
    var reload = document.createElement("a");
    reload.href = window.location.href;
    reload.textContent = TEXT.reload;
    reload.addEventListener("click", function (event) {
      event.preventDefault();
      window.location.reload();
    });
    notice.appendChild(reload);
    notice.hidden = false;
  }

  function caseUrl(id) {
    var template = queue.getAttribute("data-case-url") || "/petugas/kasus/0/";
    return template.replace(/\/0\/$/, "/" + encodeURIComponent(id) + "/");
  }

  function formatDue(iso) {
    if (!iso) return "";
    var when = new Date(iso);
    return isNaN(when) ? iso : when.toLocaleString(document.documentElement.lang || "id");
  }

  function updateQueue(event) {
    var body = queue.tBodies[0] || queue;
    var row = body.querySelector('tr[data-complaint-id="' + String(event.id) + '"]');
    var ours = !pageUnit || event.unit_id === null || String(event.unit_id) === pageUnit;
    // A case arrives: filed, or moved here from another unit (a referral, a return).
    var arrived =
      event.event === "submit" ||
      (event.previous_unit_id !== null && event.previous_unit_id !== undefined && event.previous_unit_id !== event.unit_id);
    if (event.urgent === true && ours) {
      if (event.event === "urgent_due_soon") showAlert("due", event);
      else if (event.event === "urgency_raised") showAlert("marked", event);
      else if (arrived) showAlert("new", event);
    }
    if (event.event === "urgent_due_soon") return; // nothing on the row changed
    if (row) {
      var state = row.querySelector('[data-field="state"]');
      if (state) state.textContent = event.state_label;
      var due = row.querySelector('[data-field="due"]');
      if (due && event.due_at !== undefined) due.textContent = formatDue(event.due_at);
      if (pageUnit && event.unit_id !== null && String(event.unit_id) !== pageUnit) {
        row.classList.add("live-moved");
        if (state) state.textContent = event.state_label + " (" + TEXT.moved + ")";
      }
      row.classList.add("live-changed");
      return;
    }
    if (pageUnit && String(event.unit_id) !== pageUnit) return; // left this unit, never was here
    // A case this queue has not shown yet: a minimal row on top, full details after a reload.
    row = document.createElement("tr");
    row.setAttribute("data-complaint-id", String(event.id));
    row.className = "live-new";
    var cell = document.createElement("td");
    var columns = queue.tHead && queue.tHead.rows[0] ? queue.tHead.rows[0].cells.length : 1;
    cell.colSpan = columns;
    var link = document.createElement("a");
    link.href = caseUrl(event.id);
    link.textContent = event.tracking_code_display || event.tracking_code;
    cell.appendChild(link);
    var state = document.createElement("span");
    state.setAttribute("data-field", "state");
    state.textContent =
      " · " + event.state_label + " · " + TEXT.fresh + (event.urgent === true ? " · " + TEXT.urgentLabel : "");
    cell.appendChild(state);
    row.appendChild(cell);
    body.insertBefore(row, body.firstChild);
    if (!newIds[event.id]) {
      newIds[event.id] = true;
      newCount += 1;
    }
    showNotice(TEXT.newCases.replace("{n}", String(newCount)));
  }

  function updateCase(event) {
    if (event.id !== watchedCase) return;
    showNotice(event.actor ? TEXT.changedBy.replace("{who}", event.actor) : TEXT.changed);
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss:" : "ws:";
    socket = new WebSocket(scheme + "//" + window.location.host + "/ws/queue/");
    socket.addEventListener("message", function (message) {
      var data;
      try {
        data = JSON.parse(message.data);
      } catch (error) {
        return;
      }
      if (data.type === "ready") {
        delay = 1000;
        if (watchedCase) socket.send(JSON.stringify({ watch: watchedCase }));
        document.documentElement.setAttribute("data-live", "on");
      } else if (data.type === "complaint") {
        if (queue) updateQueue(data);
        if (casePage) updateCase(data);
      }
    });
    socket.addEventListener("close", function (event) {
      document.documentElement.setAttribute("data-live", "off");
      if (STOP_CODES[event.code]) return;
      // Back off (1 s, 2 s, 4 s … 30 s, with jitter) so a restarting server is not stampeded.
      var wait = delay + Math.floor(Math.random() * 500);
      delay = Math.min(delay * 2, 30000);
      window.setTimeout(connect, wait);
    });
  }

  connect();
})();
