// The report's filters. The marts' rows are inlined (#report-data); for the filters chosen this
// script sums them, turns the sums into rates, fills the selection table and draws every chart
// again with vegaEmbed (#report-charts holds the Vega-Lite specs). Nothing is fetched.
//
// The filters are also read from, and written to, the link's hash, so a view can be shared:
//   report.html#from=2021-01-04&to=2021-02-08&product=<product_id>&region=West&state=California&bots=exclude
"use strict";

(function () {
  const DATA = JSON.parse(document.getElementById("report-data").textContent);
  const CHARTS = JSON.parse(document.getElementById("report-charts").textContent);
  const root = document.documentElement;

  // ------------------------------------------------------------------ the marts' rows
  function records(table) {
    return table.rows.map((row) => {
      const record = {};
      table.columns.forEach((column, i) => {
        record[column] = row[i];
      });
      return record;
    });
  }

  const weekly = records(DATA.tables.f_weekly_sales_funnel);
  const daily = records(DATA.tables.f_daily_sales_funnel);
  const dailyState = records(DATA.tables.f_daily_state_sales_funnel);
  const weeklyProduct = records(DATA.tables.f_weekly_product_sales_funnel);
  const inventory = records(DATA.tables.fct_product_inventory_weekly);
  const statusFlow = records(DATA.tables.fct_order_status_transitions_weekly);

  // The mart column counting sessions that reached a step ("sessions": all of them).
  function column(step, bots) {
    return "n_" + (bots ? "" : "human_") + (step === "sessions" ? "" : step + "_") + "sessions";
  }

  function rate(numerator, denominator) {
    return denominator ? numerator / denominator : null;
  }

  // Rows grouped by key(row), with `columns` summed; each group keeps its first row as `first`.
  function sumBy(rows, key, columns) {
    const groups = new Map();
    for (const row of rows) {
      const k = key(row);
      let group = groups.get(k);
      if (group === undefined) {
        group = { key: k, first: row };
        for (const c of columns) group[c] = 0;
        groups.set(k, group);
      }
      for (const c of columns) group[c] += row[c] || 0;
    }
    return [...groups.values()];
  }

  function total(rows, columns) {
    const [group] = sumBy(rows, () => "all", columns);
    if (group !== undefined) return group;
    const zero = {};
    for (const c of columns) zero[c] = 0;
    return zero;
  }

  // ------------------------------------------------------------------ filters
  const controls = {
    from: document.getElementById("filter-from"),
    to: document.getElementById("filter-to"),
    product: document.getElementById("filter-product"),
    region: document.getElementById("filter-region"),
    state: document.getElementById("filter-state"),
    bots: document.getElementById("filter-bots"),
  };
  const SELECTS = ["from", "to", "product", "region", "state"];

  function current() {
    let from = controls.from.value;
    let to = controls.to.value;
    if (from > to) [from, to] = [to, from];
    return {
      from,
      to,
      product: controls.product.value,
      region: controls.region.value,
      state: controls.state.value,
      bots: controls.bots.checked,
    };
  }

  // Set the controls from the link's hash; parameters the data does not have are named.
  function applyHash() {
    const params = new URLSearchParams(location.hash.replace(/^#/, ""));
    const ignored = [];
    for (const name of SELECTS) {
      if (!params.has(name)) continue;
      const value = params.get(name);
      const options = [...controls[name].options].map((option) => option.value);
      if (options.includes(value)) controls[name].value = value;
      else ignored.push(name + "=" + value);
    }
    if (params.has("bots")) {
      const value = params.get("bots");
      if (value === "include" || value === "exclude") controls.bots.checked = value === "include";
      else ignored.push("bots=" + value + " (include or exclude)");
    }
    document.getElementById("filter-notes").textContent = ignored.length
      ? "Not applied from the link, not in the data: " + ignored.join(", ")
      : "";
  }

  function hashOf(f) {
    const params = new URLSearchParams();
    const weeks = DATA.weeks;
    if (f.from !== weeks[0]) params.set("from", f.from);
    if (f.to !== weeks[weeks.length - 1]) params.set("to", f.to);
    for (const name of ["product", "region", "state"]) if (f[name]) params.set(name, f[name]);
    if (!f.bots) params.set("bots", "exclude");
    return params.toString();
  }

  function writeHash(f) {
    const hash = hashOf(f);
    document.getElementById("share-link").setAttribute("href", "#" + hash);
    if (location.hash.replace(/^#/, "") === hash) return;
    try {
      history.replaceState(null, "", hash ? "#" + hash : location.pathname + location.search);
    } catch (error) {
      console.warn("cannot update the link: " + error);
    }
  }

  function describe(f) {
    const parts = ["weeks " + f.from + " to " + f.to];
    if (f.region) parts.push("region " + f.region);
    if (f.state) parts.push("state " + f.state);
    if (f.product) {
      parts.push("product " + controls.product.selectedOptions[0].textContent + " (product charts)");
    }
    parts.push(f.bots ? "suspected bots included" : "suspected bots excluded");
    return parts.join("; ");
  }

  // ------------------------------------------------------------------ rows for the filters
  function inRange(f, week) {
    return week >= f.from && week <= f.to;
  }

  function inPlace(f, row) {
    return (!f.region || row.region === f.region) && (!f.state || row.state === f.state);
  }

  // Session funnel by day: the daily mart, or the state mart summed when a place is chosen.
  function dayRows(f) {
    if (!f.region && !f.state) return daily.filter((r) => inRange(f, r.wk));
    const rows = dailyState.filter((r) => inRange(f, r.wk) && inPlace(f, r));
    return sumBy(rows, (r) => r.session_date, DATA.session_counts).map((g) => ({
      ...g,
      session_date: g.key,
      wk: g.first.wk,
    }));
  }

  // Session funnel by week: the weekly mart, or days summed when a place is chosen.
  function weekRows(f) {
    if (!f.region && !f.state) return weekly.filter((r) => inRange(f, r.wk));
    return sumBy(dayRows(f), (r) => r.wk, DATA.session_counts).map((g) => ({ ...g, wk: g.key }));
  }

  function selectionTotal(f) {
    return total(weekRows(f), DATA.session_counts);
  }

  function funnelRows(f) {
    const sums = selectionTotal(f);
    return DATA.steps.map((step, i) => {
      const sessions = sums[column(step, f.bots)];
      const before = i === 0 ? null : sums[column(DATA.steps[i - 1], f.bots)];
      const share = i === 0 ? null : rate(sessions, before);
      const dropoff = share === null ? null : 1 - share;
      return {
        step: DATA.step_labels[step],
        order: i,
        sessions,
        before,
        rate: share,
        dropoff,
        label: sessions.toLocaleString("en-US"),
        dropoff_label: dropoff === null ? "" : "drop-off " + percent(dropoff),
      };
    });
  }

  function rateRows(rows, dateField, f, rates) {
    const out = [];
    for (const row of rows) {
      for (const r of rates) {
        const numerator = row[column(r.numerator, f.bots)];
        const denominator = row[column(r.denominator, f.bots)];
        const value = rate(numerator, denominator);
        if (value !== null) {
          out.push({ date: row[dateField], measure: r.label, value, numerator, denominator });
        }
      }
    }
    return out;
  }

  function productTotals(f) {
    const rows = weeklyProduct.filter((r) => inRange(f, r.wk));
    return sumBy(rows, (r) => r.product_id, DATA.product_counts).map((g) => ({
      ...g,
      product_id: g.key,
      product_name: g.first.product_name,
    }));
  }

  // The five products losing the most sessions between two steps, and the five losing the
  // fewest (fewer when there are fewer than ten), plus the chosen product wherever it ranks.
  function dropoffRows(f, step, before) {
    const ranked = productTotals(f)
      .map((p) => {
        const reached = p[column(before, f.bots)];
        const kept = p[column(step, f.bots)];
        const value = reached ? 1 - kept / reached : null;
        return { product_id: p.product_id, product_name: p.product_name, reached, dropped: reached - kept, value };
      })
      .filter((p) => p.value !== null)
      .sort((a, b) => b.value - a.value || a.product_name.localeCompare(b.product_name));
    const n = Math.min(5, Math.ceil(ranked.length / 2));
    const shown = [
      ...ranked.slice(0, n).map((p) => ({ ...p, group: "highest drop-off" })),
      ...ranked.slice(Math.max(n, ranked.length - 5)).map((p) => ({ ...p, group: "lowest drop-off" })),
    ];
    const chosen = ranked.find((p) => p.product_id === f.product);
    if (chosen && !shown.some((p) => p.product_id === chosen.product_id)) {
      shown.push({ ...chosen, group: "chosen product" });
    }
    return shown.map((p) => ({ ...p, selected: !f.product || p.product_id === f.product }));
  }

  function productConversionRows(f) {
    const rows = weeklyProduct.filter((r) => inRange(f, r.wk) && (!f.product || r.product_id === f.product));
    const weeks = sumBy(rows, (r) => r.wk, DATA.product_counts).map((g) => ({ ...g, wk: g.key }));
    return rateRows(weeks, "wk", f, DATA.product_rates);
  }

  function regionRows(f) {
    const rows = dailyState.filter((r) => inRange(f, r.wk) && inPlace(f, r));
    const out = [];
    for (const g of sumBy(rows, (r) => r.region, DATA.session_counts)) {
      for (const r of DATA.session_rates) {
        const value = rate(g[column(r.numerator, f.bots)], g[column(r.denominator, f.bots)]);
        if (value !== null) {
          out.push({ region: g.key, measure: r.label, value, sessions: g[column("sessions", f.bots)] });
        }
      }
    }
    return out;
  }

  function stateRows(f) {
    const rows = dailyState.filter((r) => inRange(f, r.wk) && (!f.region || r.region === f.region));
    return sumBy(rows, (r) => r.state, DATA.session_counts)
      .map((g) => ({
        state: g.key,
        region: g.first.region,
        sessions: g[column("sessions", f.bots)],
        checkouts: g[column("checkout", f.bots)],
        value: rate(g[column("checkout", f.bots)], g[column("sessions", f.bots)]),
        selected: !f.state || g.key === f.state,
      }))
      .filter((r) => r.value !== null);
  }

  function inventoryRows(f) {
    return inventory
      .filter((r) => inRange(f, r.snapshot_week) && (!f.product || r.product_id === f.product))
      .map((r) => ({
        week: r.snapshot_week,
        product_name: r.product_name,
        inventory: r.inventory,
        change: r.inventory_change,
        is_out_of_stock: r.is_out_of_stock,
        label: String(r.inventory),
      }));
  }

  function stockoutRows(f) {
    const weeks = new Map();
    for (const r of inventoryRows(f)) {
      const week = weeks.get(r.week) || { week: r.week, n_out_of_stock: 0, names: [] };
      if (r.is_out_of_stock) {
        week.n_out_of_stock += 1;
        week.names.push(r.product_name);
      }
      weeks.set(r.week, week);
    }
    return [...weeks.values()].map((w) => ({
      week: w.week,
      n_out_of_stock: w.n_out_of_stock,
      products: w.names.join(", ") || "none",
    }));
  }

  function statusFlowRows(f) {
    return statusFlow
      .filter((r) => inRange(f, r.wk))
      .map((r) => ({ week: r.wk, transition: r.transition, orders: r.n_orders }));
  }

  function botRows(f) {
    const share = (row, date, grain) => ({
      date,
      grain,
      share: rate(row.n_suspected_bot_sessions, row.n_sessions),
      bots: row.n_suspected_bot_sessions,
      sessions: row.n_sessions,
    });
    return [
      ...weekRows(f).map((r) => share(r, r.wk, "weekly")),
      ...dayRows(f).map((r) => share(r, r.session_date, "daily")),
    ].filter((r) => r.share !== null);
  }

  const ROWS = {
    funnel: funnelRows,
    conversion_weekly: (f) => rateRows(weekRows(f), "wk", f, DATA.session_rates),
    conversion_daily: (f) => rateRows(dayRows(f), "session_date", f, DATA.session_rates),
    product_add_to_cart_dropoff: (f) => dropoffRows(f, "add_to_cart", "page_view"),
    product_checkout_dropoff: (f) => dropoffRows(f, "checkout", "add_to_cart"),
    product_conversion: productConversionRows,
    region_funnel: regionRows,
    state_conversion: stateRows,
    inventory: inventoryRows,
    stockouts: stockoutRows,
    status_flow: statusFlowRows,
    bot_share: botRows,
  };

  // ------------------------------------------------------------------ the selection table
  function percent(value) {
    return (100 * value).toFixed(1) + "%";
  }

  // A measure of the selection by its mart name: a count (n_...), a rate or a drop-off.
  function measure(metric, sums, bots) {
    if (metric === "n_suspected_bot_sessions") return sums.n_suspected_bot_sessions;
    if (metric.startsWith("n_")) return sums[bots ? metric : metric.replace(/^n_/, "n_human_")];
    for (const r of DATA.session_rates) {
      const value = rate(sums[column(r.numerator, bots)], sums[column(r.denominator, bots)]);
      if (metric === r.name) return value;
      if (metric === r.dropoff) return value === null ? null : 1 - value;
    }
    throw new Error("unknown measure " + metric);
  }

  function fillSelection(f) {
    const sums = selectionTotal(f);
    document.getElementById("selection-description").textContent = describe(f);
    document.getElementById("selection-traffic").textContent = f.bots
      ? "all sessions"
      : "without suspected bots";
    for (const cell of document.querySelectorAll("#selection-table td[data-metric]")) {
      const metric = cell.dataset.metric;
      const value = measure(metric, sums, f.bots);
      if (metric !== "n_suspected_bot_sessions") cell.dataset.traffic = f.bots ? "all" : "human";
      cell.dataset.value = value === null ? "" : String(value);
      if (value === null) cell.textContent = "–";
      else if (metric.startsWith("n_")) cell.textContent = value.toLocaleString("en-US");
      else cell.textContent = percent(value);
    }
  }

  // ------------------------------------------------------------------ drawing
  const views = {};

  async function draw(chart, f) {
    const rows = ROWS[chart.id];
    if (rows === undefined) throw new Error("the page has no rows for chart " + chart.id);
    const spec = JSON.parse(JSON.stringify(chart.spec));
    spec.data = { name: "rows", values: rows(f) };
    const target = document.querySelector("#chart-" + chart.id + " .chart-view");
    const previous = views[chart.id];
    const result = await vegaEmbed(target, spec, { renderer: "svg", actions: false });
    if (previous) previous.finalize();
    views[chart.id] = result;
  }

  async function render() {
    const f = current();
    root.dataset.reportState = "drawing";
    writeHash(f);
    fillSelection(f);
    const drawn = await Promise.allSettled(CHARTS.map((chart) => draw(chart, f)));
    drawn.forEach((outcome, i) => {
      if (outcome.status === "rejected") {
        const reason = outcome.reason;
        window.recordError("chart " + CHARTS[i].id + ": " + ((reason && reason.stack) || reason));
      }
    });
    root.dataset.filters = hashOf(f);
    root.dataset.pageHeight = String(document.documentElement.scrollHeight);
    root.dataset.reportState = "ready";
  }

  // one drawing at a time, in the order the filters changed
  let drawing = Promise.resolve();
  function redraw() {
    drawing = drawing.then(render).catch((error) => window.recordError("drawing: " + error.stack));
    return drawing;
  }

  for (const control of Object.values(controls)) control.addEventListener("change", redraw);
  window.addEventListener("hashchange", () => {
    applyHash();
    redraw();
  });
  applyHash();
  redraw();
})();
