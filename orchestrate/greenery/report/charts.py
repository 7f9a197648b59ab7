"""The report's charts: Vega-Lite specs made with altair, one function per chart.

Every chart reads one named dataset, `rows`, that the page fills (and refills when a filter
changes) with rows computed from the marts; the fields each chart's rows carry are listed in its
function. `follows` says which of the page's filters a chart obeys; the page shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import altair as alt

DATASET = "rows"
WIDTH = 520
HEIGHT = 240

#: The page's filters, by the key the page's script and its link parameters use.
FILTERS: dict[str, str] = {
    "time": "time range",
    "product": "product",
    "state": "state and region",
    "bots": "suspected bots",
}


@dataclass(frozen=True)
class Chart:
    """One chart of the report: where it goes, what it shows and which filters it follows."""

    id: str
    title: str
    description: str
    follows: tuple[str, ...]
    why_not: str  # why the filters it does not follow cannot apply
    spec: dict[str, Any]

    @property
    def ignores(self) -> tuple[str, ...]:
        return tuple(key for key in FILTERS if key not in self.follows)

    def follows_text(self) -> str:
        text = "Follows: " + ", ".join(FILTERS[key] for key in self.follows) + "."
        if self.ignores:
            text += f" Not filtered by {' or '.join(FILTERS[key] for key in self.ignores)}"
            text += f": {self.why_not}." if self.why_not else "."
        return text

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "follows": list(self.follows), "spec": self.spec}


def base() -> alt.Chart:
    return alt.Chart(alt.NamedData(name=DATASET)).properties(width=WIDTH, height=HEIGHT)


def day(field: str = "date", title: str | None = None) -> alt.X:
    return alt.X(f"{field}:T", timeUnit="utcyearmonthdate", title=title)


def day_tooltip(field: str = "date", title: str = "date") -> alt.Tooltip:
    return alt.Tooltip(f"{field}:T", timeUnit="utcyearmonthdate", title=title)


def percent(field: str, title: str) -> alt.Tooltip:
    return alt.Tooltip(f"{field}:Q", format=".1%", title=title)


def funnel() -> alt.TopLevelMixin:
    """rows: step, order, sessions, before (sessions at the step before), rate (sessions /
    before), dropoff, label (the count), dropoff_label."""
    x = alt.X(
        "step:N", sort=alt.EncodingSortField("order"), title=None, axis=alt.Axis(labelAngle=0)
    )
    tooltip = [
        alt.Tooltip("step:N"),
        alt.Tooltip("sessions:Q", format=","),
        percent("rate", "of the step before"),
        percent("dropoff", "drop-off"),
    ]
    reached = (
        base()
        .mark_bar(color="#2f7d4f")
        .encode(x=x, y=alt.Y("sessions:Q", title="sessions"), tooltip=tooltip)
    )
    # the sessions lost since the step before, stacked on the step's bar up to that step's height
    lost = (
        base().mark_bar(color="#e8b4ad").encode(x=x, y="before:Q", y2="sessions:Q", tooltip=tooltip)
    )
    counts = reached.mark_text(dy=4, baseline="top", color="white", fontWeight="bold").encode(
        text="label:N"
    )
    dropoffs = lost.mark_text(dy=-4, baseline="bottom", color="#a93226").encode(
        y="before:Q", text="dropoff_label:N"
    )
    return alt.layer(reached, lost, counts, dropoffs)


def rates_over_time(point: bool) -> alt.TopLevelMixin:
    """rows: date, measure, value (a rate), numerator, denominator."""
    return (
        base()
        .mark_line(point=point, interpolate="linear")
        .encode(
            x=day(),
            y=alt.Y("value:Q", title="rate", axis=alt.Axis(format="%")),
            color=alt.Color("measure:N", sort=None, legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=[
                day_tooltip(),
                alt.Tooltip("measure:N"),
                percent("value", "rate"),
                alt.Tooltip("numerator:Q", format=","),
                alt.Tooltip("denominator:Q", format=","),
            ],
        )
    )


def product_dropoff() -> alt.TopLevelMixin:
    """rows: product_name, value (a drop-off), group, selected, reached, dropped."""
    return (
        base()
        .mark_bar()
        .encode(
            y=alt.Y("product_name:N", sort="-x", title=None),
            x=alt.X("value:Q", title="drop-off", axis=alt.Axis(format="%")),
            color=alt.Color(
                "group:N",
                scale=alt.Scale(
                    domain=["highest drop-off", "lowest drop-off", "chosen product"],
                    range=["#c0392b", "#2f7d4f", "#7f8c8d"],
                ),
                legend=alt.Legend(orient="bottom", title=None),
            ),
            opacity=alt.condition("datum.selected", alt.value(1.0), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("product_name:N", title="product"),
                percent("value", "drop-off"),
                alt.Tooltip("reached:Q", format=",", title="sessions at the step before"),
                alt.Tooltip("dropped:Q", format=",", title="sessions lost"),
            ],
        )
    )


def region_funnel() -> alt.TopLevelMixin:
    """rows: region, measure, value (a rate), sessions."""
    return (
        base()
        .mark_bar()
        .encode(
            y=alt.Y("region:N", title=None),
            yOffset=alt.YOffset("measure:N", sort=None),
            x=alt.X("value:Q", title="rate", axis=alt.Axis(format="%")),
            color=alt.Color("measure:N", sort=None, legend=alt.Legend(orient="bottom", columns=2)),
            tooltip=[
                alt.Tooltip("region:N"),
                alt.Tooltip("measure:N"),
                percent("value", "rate"),
                alt.Tooltip("sessions:Q", format=","),
            ],
        )
    )


def state_conversion() -> alt.TopLevelMixin:
    """rows: state, region, value (checkout / sessions), sessions, checkouts, selected."""
    return (
        base()
        .mark_bar()
        .encode(
            y=alt.Y("state:N", sort="-x", title=None),
            x=alt.X("value:Q", title="checkout sessions / sessions", axis=alt.Axis(format="%")),
            color=alt.Color("region:N", legend=alt.Legend(orient="bottom")),
            opacity=alt.condition("datum.selected", alt.value(1.0), alt.value(0.25)),
            tooltip=[
                alt.Tooltip("state:N"),
                alt.Tooltip("region:N"),
                percent("value", "conversion"),
                alt.Tooltip("sessions:Q", format=","),
                alt.Tooltip("checkouts:Q", format=","),
            ],
        )
        .properties(height=alt.Step(16))
    )


def inventory() -> alt.TopLevelMixin:
    """rows: week, product_name, inventory, change, is_out_of_stock."""
    cells = base().encode(
        x=alt.X("week:O", timeUnit="utcyearmonthdate", title="snapshot week"),
        y=alt.Y("product_name:N", title=None),
    )
    heat = cells.mark_rect().encode(
        color=alt.Color(
            "inventory:Q",
            scale=alt.Scale(scheme="greens"),
            legend=alt.Legend(orient="bottom", title="inventory"),
        ),
        tooltip=[
            alt.Tooltip("product_name:N", title="product"),
            day_tooltip("week", "snapshot week"),
            alt.Tooltip("inventory:Q"),
            alt.Tooltip("change:Q", title="change on the week before"),
            alt.Tooltip("is_out_of_stock:N", title="out of stock"),
        ],
    )
    text = cells.mark_text(fontSize=10).encode(
        text=alt.Text("label:N"),
        color=alt.condition("datum.is_out_of_stock", alt.value("#c0392b"), alt.value("#222")),
    )
    return alt.layer(heat, text).properties(height=alt.Step(18))


def stockouts() -> alt.TopLevelMixin:
    """rows: week, n_out_of_stock, products."""
    return (
        base()
        .mark_bar(color="#c0392b")
        .encode(
            x=alt.X("week:O", timeUnit="utcyearmonthdate", title="snapshot week"),
            y=alt.Y(
                "n_out_of_stock:Q",
                title="products out of stock",
                # whole products: no tick between two counts
                axis=alt.Axis(format="d", labelExpr="datum.value % 1 ? '' : datum.label"),
            ),
            tooltip=[
                day_tooltip("week", "snapshot week"),
                alt.Tooltip("n_out_of_stock:Q", title="out of stock"),
                alt.Tooltip("products:N", title="products"),
            ],
        )
    )


def status_flow() -> alt.TopLevelMixin:
    """rows: week, transition, orders."""
    return (
        base()
        .mark_bar()
        .encode(
            x=alt.X("week:O", timeUnit="utcyearmonthdate", title="week"),
            y=alt.Y("orders:Q", title="orders that changed status", stack="zero"),
            color=alt.Color(
                "transition:N", legend=alt.Legend(orient="bottom", title="status change")
            ),
            tooltip=[
                day_tooltip("week", "week"),
                alt.Tooltip("transition:N", title="status change"),
                alt.Tooltip("orders:Q"),
            ],
        )
    )


def bot_share() -> alt.TopLevelMixin:
    """rows: date, grain ('daily' or 'weekly'), share, bots, sessions."""
    return (
        base()
        .mark_line(point=True)
        .encode(
            x=day(),
            y=alt.Y(
                "share:Q", title="suspected-bot sessions / sessions", axis=alt.Axis(format="%")
            ),
            color=alt.Color(
                "grain:N", sort=["weekly", "daily"], legend=alt.Legend(orient="bottom")
            ),
            strokeWidth=alt.condition("datum.grain == 'weekly'", alt.value(3), alt.value(1)),
            tooltip=[
                day_tooltip(),
                alt.Tooltip("grain:N"),
                percent("share", "bot share"),
                alt.Tooltip("bots:Q", format=",", title="suspected-bot sessions"),
                alt.Tooltip("sessions:Q", format=","),
            ],
        )
    )


SESSIONS_HAVE_NO_PRODUCT = "a session is not one product's"
PRODUCT_MARTS_HAVE_NO_STATE = "the product funnel marts have no state"
INVENTORY_HAS_NO_SESSIONS = "inventory is per product, with no sessions or states"
ORDERS_HAVE_NO_SESSIONS = "an order's status has no session, product or state"


def chart(
    id_: str,
    title: str,
    description: str,
    follows: tuple[str, ...],
    why_not: str,
    spec: alt.TopLevelMixin,
) -> Chart:
    return Chart(id_, title, description, follows, why_not, spec.to_dict())


def charts() -> list[Chart]:
    """Every chart of the report, in page order, with its Vega-Lite spec."""
    sessions = ("time", "state", "bots")
    products = ("time", "product", "bots")
    return [
        chart(
            "funnel",
            "Funnel",
            "Sessions reaching each step, with the share of the step before and the drop-off.",
            sessions,
            SESSIONS_HAVE_NO_PRODUCT,
            funnel(),
        ),
        chart(
            "conversion_weekly",
            "Conversion by week",
            "Each step's rate, week by week.",
            sessions,
            SESSIONS_HAVE_NO_PRODUCT,
            rates_over_time(point=True),
        ),
        chart(
            "conversion_daily",
            "Conversion by day",
            "Each step's rate, day by day.",
            sessions,
            SESSIONS_HAVE_NO_PRODUCT,
            rates_over_time(point=False),
        ),
        chart(
            "product_add_to_cart_dropoff",
            "Products by add-to-cart drop-off",
            "Sessions that viewed a product but did not add it to a cart: highest and lowest.",
            products,
            PRODUCT_MARTS_HAVE_NO_STATE,
            product_dropoff(),
        ),
        chart(
            "product_checkout_dropoff",
            "Products by checkout drop-off",
            "Sessions that added a product to a cart but did not check it out: highest and lowest.",
            products,
            PRODUCT_MARTS_HAVE_NO_STATE,
            product_dropoff(),
        ),
        chart(
            "product_conversion",
            "Product conversion by week",
            "The chosen product's rates (all products together when none is chosen).",
            products,
            PRODUCT_MARTS_HAVE_NO_STATE,
            rates_over_time(point=True),
        ),
        chart(
            "region_funnel",
            "Funnel by region",
            "Each step's rate in each region (the chosen region only, when one is).",
            sessions,
            SESSIONS_HAVE_NO_PRODUCT,
            region_funnel(),
        ),
        chart(
            "state_conversion",
            "Conversion by state",
            "Checkout sessions per session in each state; the chosen state stands out.",
            sessions,
            SESSIONS_HAVE_NO_PRODUCT,
            state_conversion(),
        ),
        chart(
            "inventory",
            "Inventory by week",
            "Units in stock at each week's last inventory snapshot; stock-outs in red.",
            ("time", "product"),
            INVENTORY_HAS_NO_SESSIONS,
            inventory(),
        ),
        chart(
            "stockouts",
            "Stock-outs by week",
            "Products out of stock at each week's last inventory snapshot.",
            ("time", "product"),
            INVENTORY_HAS_NO_SESSIONS,
            stockouts(),
        ),
        chart(
            "status_flow",
            "Order status flow",
            "Orders that moved from one status to another, by the week the snapshot saw it.",
            ("time",),
            ORDERS_HAVE_NO_SESSIONS,
            status_flow(),
        ),
        chart(
            "bot_share",
            "Suspected-bot share",
            "Suspected-bot sessions over all sessions, by week and by day.",
            ("time", "state"),
            "the share is of all sessions, and a session is not one product's",
            bot_share(),
        ),
    ]
