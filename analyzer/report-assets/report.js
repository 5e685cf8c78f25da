/* backsight report page: renders the case JSON (the JSON data element with id "case-data")
 * into the page. Every string from the case is attacker-controlled
 * evidence: it reaches the DOM only through textContent and element attributes set with
 * setAttribute on fixed names, never through innerHTML or a string handed to a library that
 * might parse it as HTML (vis-timeline gets DOM elements for item and group content). */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("case-data").textContent);
  var NS_PER_MS = 1e6;

  function el(tag, text, cls) {
    var e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function add(parent, child) { parent.appendChild(child); return child; }
  function iso(ns) {
    if (typeof ns !== "number") return "";
    return new Date(ns / NS_PER_MS).toISOString().replace(".000Z", "Z");
  }
  function table(parent, headers, rows) {
    var t = add(parent, el("table")), tr = add(add(t, el("thead")), el("tr"));
    headers.forEach(function (h) { add(tr, el("th", h)); });
    var tb = add(t, el("tbody"));
    rows.forEach(function (r) {
      var row = add(tb, el("tr"));
      r.forEach(function (c) {
        var td = add(row, el("td"));
        if (c instanceof Node) td.appendChild(c); else td.textContent = c === undefined || c === null ? "" : String(c);
      });
    });
    return t;
  }
  function section(id, title) {
    var s = document.getElementById(id);
    add(s, el("h2", title));
    return s;
  }
  function sevClass(label) { return "sev sev-" + String(label).toLowerCase(); }

  /* summary */
  var sum = section("summary", "Summary");
  if (data.headline && data.headline.text) {
    add(sum, el("p", data.headline.text, "headline"));
    var hd = data.headline, rec = hd.recovered || {};
    var steps = [[iso(rec.ts), "key recovered", rec.event_id, (rec.summary || "") + " (" + (rec.how || "") + ")"]];
    (hd.calls || []).forEach(function (c) {
      steps.push([iso(c.ts), c.api + " from " + c.src_ip, c.event_id, c.user_agent || ""]);
    });
    table(sum, ["time", "step", "event", "detail"], steps).className = "chain";
  }
  var counts = data.severity_counts || {};
  var p = add(sum, el("p"));
  ["Critical", "High", "Medium", "Low"].forEach(function (l) {
    add(p, el("span", l + ": " + (counts[l] || 0), sevClass(l)));
    p.appendChild(document.createTextNode(" "));
  });
  add(sum, el("p", (data.findings || []).length + " finding(s) from " + data.alerts + " alert(s); " +
    (data.time_span ? data.time_span.events + " events from " + iso(data.time_span.first) + " to " +
      iso(data.time_span.last) + " (UTC)" : "")));
  table(sum, ["source", "events", "first", "last"], (data.sources || []).map(function (s) {
    return [s.source, s.events, iso(s.first), iso(s.last)];
  }));

  /* timeline: swim lanes (hosts, network, cloud) */
  var tl = section("timeline", "Timeline");
  var shown = data.timeline ? data.timeline.shown : 0, total = data.timeline ? data.timeline.total : 0;
  add(tl, el("p", shown + " of " + total + " events shown (every event behind a finding or a correlation, " +
    "and the first events in time order)", "note"));
  var lanes = {}, laneList = [], items = [];
  function lane(ev) {
    var name;
    if (ev.source === "aws_cloudtrail") name = "cloud: " + (ev.host || "?");
    else if (ev.source === "network") name = "network: " + (ev.host || "?");
    else if (ev.source === "syscall") name = "host: " + (ev.host || "?");
    else name = ev.source + ": " + (ev.host || "?");
    if (!(name in lanes)) {
      var order = ev.source === "syscall" ? 0 : ev.source === "network" ? 1 : ev.source === "aws_cloudtrail" ? 2 : 3;
      lanes[name] = laneList.length;
      laneList.push({ id: laneList.length, content: el("span", name), order: order, label: name });
    }
    return lanes[name];
  }
  (data.timeline ? data.timeline.events : []).forEach(function (ev) {
    var content = el("span", ev.type);
    content.setAttribute("title", ev.summary || "");
    var cls = ev.alerts ? "ev-alert" : ev.correlated ? "ev-corr" : "ev";
    items.push({ id: ev.id, group: lane(ev), start: new Date(ev.ts / NS_PER_MS), content: content,
      type: "point", className: cls });
  });
  laneList.sort(function (a, b) { return a.order - b.order || (a.label < b.label ? -1 : a.label > b.label ? 1 : 0); });
  var tlDiv = add(tl, el("div", null, "timeline-view"));
  tlDiv.id = "timeline-view";
  var detail = add(tl, el("p", "Select an event to see its summary.", "event-detail"));
  var byId = {};
  (data.timeline ? data.timeline.events : []).forEach(function (ev) { byId[ev.id] = ev; });
  if (window.vis && items.length) {
    var options = { stack: false, zoomKey: "ctrlKey", height: "360px", groupOrder: "order", showCurrentTime: false };
    if (vis.moment) options.moment = function (d) { return vis.moment(d).utc(); };
    var timeline = new vis.Timeline(tlDiv, new vis.DataSet(items), new vis.DataSet(laneList), options);
    timeline.on("select", function (props) {
      var ev = byId[props.items[0]];
      if (!ev) return;
      detail.textContent = iso(ev.ts) + "  " + ev.source + "/" + ev.type + "  " + (ev.host || "") + "  " +
        (ev.summary || "") + "  [event " + ev.id + ", " + (ev.evidence || "") + " @" + ev.offset + "]";
    });
    tlDiv.setAttribute("data-rendered", "timeline");
  }

  /* rate histogram */
  var h = data.histogram || {};
  var histDiv = add(tl, el("div", null, "histogram"));
  histDiv.id = "histogram";
  if (window.uPlot && h.series && h.buckets) {
    var xs = [], series = [{}], cols = [], colors = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"];
    for (var i = 0; i < h.buckets; i++) xs.push((h.start + i * h.bucket_ns) / 1e9);
    cols.push(xs);
    Object.keys(h.series).forEach(function (src, k) {
      series.push({ label: src, stroke: colors[k % colors.length], width: 1.5 });
      cols.push(h.series[src]);
    });
    new uPlot({ title: "events per " + (h.bucket_ns / 1e9) + " s", width: 900, height: 200, series: series,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), "Etc/UTC"); } }, cols, histDiv);
    histDiv.setAttribute("data-rendered", "histogram");
  }

  /* findings */
  var fs = section("findings", "Findings by severity");
  table(fs, ["severity", "type", "resource", "count", "first seen", "last seen"], (data.findings || []).map(function (f) {
    var a = el("a", f.type);
    a.setAttribute("href", "#finding-" + f.finding_id);
    return [el("span", f.severity.toFixed(1) + " " + f.severity_label, sevClass(f.severity_label)), a, f.resource,
      f.count, iso(f.first_seen), iso(f.last_seen)];
  }));
  var fd = section("finding-details", "Finding details");
  (data.findings || []).forEach(function (f) {
    var box = add(fd, el("article", null, "finding"));
    box.id = "finding-" + f.finding_id;
    add(box, el("h3", f.title));
    var mitre = f.mitre || { tactics: [], techniques: [] };
    table(box, ["", ""], [
      ["id", f.finding_id], ["type", f.type], ["severity", f.severity.toFixed(1) + " (" + f.severity_label + ")"],
      ["resource", f.resource], ["count", f.count], ["first / last seen", iso(f.first_seen) + " .. " + iso(f.last_seen)],
      ["rule", (f.rule || "") + " (" + (f.priority || "") + ")"],
      ["ATT&CK", mitre.tactics.map(function (t) { return t.id + " " + t.name; }).concat(mitre.techniques).join(", ")],
      ["description", f.description]
    ]).className = "kv";
    if (f.process) {
      add(box, el("h4", "Process and lineage (nearest ancestor first)"));
      var procs = [f.process].concat(f.process.lineage || []);
      table(box, ["pid", "name", "exe", "command line", "uid"], procs.map(function (q) {
        return [q.pid, q.name, q.exe, q.cmdline || q.args, q.uid];
      }));
    }
    var ctx = f.context || {};
    if (Object.keys(ctx).length) {
      add(box, el("h4", "Context"));
      table(box, ["field", "value"], Object.keys(ctx).map(function (k) {
        var v = ctx[k];
        return [k, typeof v === "string" ? v : JSON.stringify(v)];
      }));
    }
    add(box, el("h4", "Evidence"));
    table(box, ["time", "event", "summary", "file", "SHA-256", "offset"], (f.evidence || []).map(function (e) {
      return [iso(e.ts), e.event_id, e.summary, e.evidence, e.sha256, e.offset];
    }));
  });

  /* correlation */
  var cs = section("correlation", "CloudTrail correlation");
  add(cs, el("p", "Access keys recovered from the evidence and the CloudTrail calls made with them:"));
  table(cs, ["key", "calls", "from outside", "first", "last", "recovered"], (data.key_uses || []).map(function (k) {
    return [k.key, k.calls, k.outside, iso(k.first), iso(k.last), String(k.recovered || "").split(";")[0]];
  }));
  add(cs, el("p", "The joins that point outside the workload, and the role-session and user-agent joins " +
    "(at most 5000; the case's correlations table has them all):"));
  table(cs, ["time", "API call", "from", "kind", "key", "reason"], (data.correlations || []).map(function (c) {
    return [iso(c.ct_ts), c.api, c.src_ip, c.kind, c.key, c.reason];
  }));

  /* ATT&CK, resources, coverage */
  var at = section("attack", "MITRE ATT&CK");
  table(at, ["tactic", "techniques", "findings"], (data.attack || []).map(function (a) {
    return [a.id + " " + a.name, a.techniques.join(", "), a.findings.length];
  }));
  var rs = section("resources", "Affected resources");
  table(rs, ["resource", "findings", "highest severity"], (data.resources || []).map(function (r) {
    return [r.key, r.findings, r.max_severity.toFixed(1)];
  }));
  var ic = section("indicators", "Indicators");
  if (!(data.indicators || []).length) add(ic, el("p", "No indicator from a list given to detect (--indicators) was seen."));
  else table(ic, ["indicator", "kind", "list", "description", "hits", "first", "last", "seen as", "in"],
    data.indicators.map(function (x) {
      return [x.indicator, x.kind, x.list, x.description, x.hits, iso(x.first), iso(x.last), x.seen, x.fields];
    }));
  var cv = section("coverage", "Coverage");
  if (!data.coverage) add(cv, el("p", "The case records no coverage statement (no detect run listed rules that could not run)."));
  else {
    var skipped = Array.isArray(data.coverage) ? data.coverage : data.coverage.skipped || [];
    table(cv, ["rule", "why it could not run"], skipped.map(function (s) { return [s.rule, s.reason]; }));
  }

  /* method appendix */
  var me = section("method", "Method");
  add(me, el("p", "backsight " + data.tool.version + ". All times UTC."));
  add(me, el("h3", "Evidence"));
  table(me, ["id", "file", "format", "SHA-256", "size", "events", "skipped", "status"], (data.evidence || []).map(function (e) {
    return [e.id, e.name, e.format, e.sha256, e.size, e.events, e.skipped, e.status + (e.status_reason ? ": " + e.status_reason : "")];
  }));
  add(me, el("h3", "Runs"));
  table(me, ["run", "kind", "tool", "command line", "started", "finished", "status"], (data.runs || []).map(function (r) {
    return [r.id, r.kind, r.tool_version, r.command_line, r.started, r.finished, r.status];
  }));
  add(me, el("p", "This page embeds vis-timeline 8.5.4 (Apache-2.0 OR MIT, Almende B.V. and contributors) and " +
    "uPlot 1.6.32 (MIT, Leon Sorokin); their licence texts are in backsight's source tree under " +
    "analyzer/report-assets/."));
  document.body.setAttribute("data-rendered", "ok");
})();
