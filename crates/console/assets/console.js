// Live progress of a running round over server-sent events; the page reloads once, when the
// round completes, to show its results.
(function () {
  var box = document.getElementById("progress");
  if (!box || box.dataset.complete === "true" || !window.EventSource) return;
  var bar = document.getElementById("progress-bar");
  var pct = document.getElementById("progress-percent");
  var text = document.getElementById("progress-text");
  var source = new EventSource(box.dataset.events);
  source.addEventListener("progress", function (e) {
    var p = JSON.parse(e.data);
    if (p.error) { text.textContent = p.error; return; }
    bar.value = p.percent;
    pct.textContent = p.percent + "%";
    text.textContent = p.done + " / " + p.total + " 项任务，" + p.dead + " 项失败";
    if (p.complete) {
      source.close();
      window.location.reload();
    }
  });
})();

// The rounds page: every running round's progress over one stream; the page reloads when one
// of them completes, to show its rates.
(function () {
  var table = document.querySelector("table.rounds[data-events]");
  if (!table || !window.EventSource) return;
  var source = new EventSource(table.dataset.events);
  source.addEventListener("progress", function (e) {
    var data = JSON.parse(e.data);
    if (!data.rounds) return;
    var finished = false;
    table.querySelectorAll("tr[data-round]").forEach(function (row) {
      var p = data.rounds[row.dataset.round];
      if (!p || row.dataset.complete === "true") return;
      row.querySelector("progress").value = p.percent;
      row.querySelector(".pct").textContent = p.percent + "%";
      if (p.sealed) row.querySelector(".state").textContent = "进行中";
      if (p.complete) finished = true;
    });
    var running = Object.keys(data.rounds).some(function (id) { return !data.rounds[id].complete; });
    if (finished || !running) source.close();
    if (finished) window.location.reload();
  });
})();
