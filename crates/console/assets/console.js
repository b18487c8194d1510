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
