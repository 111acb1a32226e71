#!/usr/bin/env python3
"""Generates the labelled home scenarios in tests/diagnosis/scenarios/*.json.

Each scenario is a synthetic home: a healthy baseline (gateway with 2.4 / 5 GHz radios, a few
Wi-Fi clients, hosts, DOCSIS channels, 24 h of hourly snapshots) plus one or more faults
injected the way they show up in TR-181 telemetry (diagnosis-reference.md §3.3). The expected top
finding is the label a support engineer would give the home, written here next to the fault.

    python3 tests/diagnosis/make_scenarios.py     # rewrites scenarios/*.json (deterministic)
"""
import copy
import datetime as dt
import json
import os

NOW = int(dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.timezone.utc).timestamp())
STEP = 3600
HISTORY = 24
HOUR = 3600
DAY = 86400
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "scenarios")


def iso(t):
    return dt.datetime.fromtimestamp(t, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def mac(i):
    return "3c:22:fb:00:%02x:%02x" % (i // 256, i % 256)


DEFAULT_CLIENTS = [
    # name, band, signal dBm, retransmissions %
    ("laptop-ana", "5GHz", -54, 3),
    ("laptop-beto", "5GHz", -58, 4),
    ("laptop-caro", "2.4GHz", -60, 3),
    ("phone-ana", "5GHz", -57, 2),
]


class Home:
    """A healthy home; faults are functions (t, snapshot) -> None applied to every snapshot."""

    def __init__(self, clients=None, radios=("2.4GHz", "5GHz"), data_model="tr181", docsis=True):
        self.clients = list(clients or DEFAULT_CLIENTS)
        self.radios = list(radios)
        self.data_model = data_model
        self.docsis = docsis
        self.boot = NOW - 19 * DAY
        self.faults = []

    def fault(self, fn):
        self.faults.append(fn)
        return fn

    def snapshot(self, t):
        up = t - self.boot
        s = {
            "oui": "00D09E", "product_class": "HGW-3000", "serial": "CL0001234",
            "software_version": "7.2.0", "data_model": self.data_model,
            "taken_at": iso(t), "uptime_s": up,
            "radios": [], "access_points": [], "clients": [], "hosts": [], "neighbors": [],
            "temperature_c": 56, "temperature_high_alarm_c": 90, "cpu_pct": 21,
            "memory_total_kib": 524288, "memory_free_kib": 210000,
            "reboots": {"boot_count": 4, "watchdog_boot_count": 0},
        }
        channels = {"2.4GHz": 6, "5GHz": 44, "6GHz": 37}
        for i, band in enumerate(self.radios, start=1):
            s["radios"].append({
                "index": i, "band": band, "enabled": True, "channel": channels[band],
                "bandwidth": "20MHz" if band == "2.4GHz" else "80MHz", "auto_channel": True,
                "transmit_power_pct": 100, "noise_dbm": -93, "utilization_pct": 22, "receive_other_pct": 6,
                "stats": {"packets_sent": 900 * up, "packets_received": 700 * up, "errors_sent": up // 20,
                          "errors_received": up // 25, "total_channel_changes": 1},
            })
            s["access_points"].append({"index": i, "ssid": "Casa Perez", "radio_index": i, "enabled": True})
        for i, (name, band, sig, rt) in enumerate(self.clients, start=1):
            radio = self.radios.index(band) + 1 if band in self.radios else 1
            c = {"mac": mac(i), "ap_index": radio, "radio_index": radio, "band": band,
                 "signal_dbm": sig, "noise_dbm": -93, "snr_db": 93 + sig,
                 "downlink_kbps": 144000 if band == "2.4GHz" else 780000,
                 "uplink_kbps": 72000 if band == "2.4GHz" else 400000,
                 "retransmissions_pct": rt, "active": True, "association_time": iso(self.boot + 90 + i)}
            if self.data_model == "tr098":
                for k in ("signal_dbm", "noise_dbm", "snr_db", "retransmissions_pct", "uplink_kbps"):
                    c.pop(k)
            s["clients"].append(c)
            s["hosts"].append({"mac": mac(i), "ip": "192.168.1.%d" % (10 + i), "hostname": name,
                               "interface_type": "Wi-Fi", "active": True})
        s["hosts"].append({"mac": "3c:22:fb:00:0f:01", "ip": "192.168.1.2", "hostname": "decodificador-tv",
                           "interface_type": "Ethernet", "active": True})
        if "2.4GHz" in self.radios:
            s["neighbors"] += [
                {"bssid": "a0:00:00:00:00:01", "ssid": "VTR-1234", "channel": 1, "band": "2.4GHz", "signal_dbm": -79},
                {"bssid": "a0:00:00:00:00:02", "ssid": "Movistar-88", "channel": 11, "band": "2.4GHz", "signal_dbm": -85},
            ]
        if "5GHz" in self.radios:
            s["neighbors"].append({"bssid": "a0:00:00:00:00:03", "ssid": "Entel-5G", "channel": 149, "band": "5GHz",
                                   "signal_dbm": -81})
        if self.docsis:
            s["docsis_downstream"] = [
                {"index": i, "modulation": "QAM256", "power_dbmv": 2.0 + 0.4 * i, "snr_db": 39.0,
                 "unerrored": 2500 * up, "corrected": up // 4, "uncorrectable": up // 8000}
                for i in (1, 2)]
            s["docsis_upstream"] = [{"index": 1, "tx_power_dbmv": 43.5, "t3_timeouts": 1, "t4_timeouts": 0}]
        for fn in self.faults:
            fn(t, s)
        return s

    def input(self, symptoms=None, probe_events=None, probe_window=None, outages=None, changes=None,
              history=HISTORY, current_at=NOW):
        hist = [self.snapshot(NOW - k * STEP) for k in range(history, 0, -1)]
        inp = {"now": iso(NOW), "symptoms": symptoms or {"what": "", "pattern": "none", "devices": []},
               "current": self.snapshot(current_at), "history": hist,
               "probe_events": probe_events or [], "area_outages": outages or [], "changes": changes or []}
        if probe_window:
            inp["probe_window"] = {"start": iso(probe_window[0]), "end": iso(probe_window[1])}
        return inp


def client(s, name):
    for h in s["hosts"]:
        if h["hostname"] == name:
            for c in s["clients"]:
                if c["mac"] == h["mac"]:
                    return c
    raise KeyError(name)


def radio(s, band):
    return next(r for r in s["radios"] if r["band"] == band)


def symptoms(what="wifi_drops", pattern="intermittent", devices=(), since=NOW - 2 * DAY):
    return {"what": what, "since": iso(since), "devices": list(devices), "pattern": pattern}


def cut(leg, at, seconds, kind="micro_outage"):
    return {"kind": kind, "leg": leg, "start_ms": at * 1000, "end_ms": (at + seconds) * 1000,
            "severity": "low", "lost": seconds, "samples": seconds}


def strong_neighbors(s, channel, n, band="2.4GHz", base=-58):
    for i in range(n):
        s["neighbors"].append({"bssid": "b0:00:00:00:%02x:%02x" % (channel, i), "ssid": "Depto-%d" % (i + 1),
                               "channel": channel, "band": band, "signal_dbm": base - 2 * i})


SCENARIOS = []


def scenario(name, expected, description):
    def register(fn):
        SCENARIOS.append((name, expected, description, fn))
        return fn
    return register


# ------------------------------------------------------------------------------------ healthy
@scenario("healthy_basic", "none", "Four clients with strong signal, quiet channels, clean line, nothing reported.")
def _():
    return Home().input()


@scenario("healthy_big_family", "none", "Eleven clients on three radios, all fine.")
def _():
    clients = [("dev-%d" % i, ["2.4GHz", "5GHz", "6GHz"][i % 3], -50 - (i % 7) * 2, 2 + i % 4) for i in range(11)]
    return Home(clients=clients, radios=("2.4GHz", "5GHz", "6GHz")).input()


@scenario("healthy_one_reboot", "none", "One reboot 7 h ago (customer unplugged it); everything else fine.")
def _():
    h = Home()
    boot = NOW - 7 * HOUR

    @h.fault
    def f(t, s):
        if t >= boot:
            s["uptime_s"] = t - boot
    return h.input()


@scenario("healthy_fair_iot", "none", "A 2.4 GHz camera at -71 dBm (fair, not weak) and a few neighbours.")
def _():
    clients = DEFAULT_CLIENTS + [("camara-patio", "2.4GHz", -71, 8)]
    return Home(clients=clients).input()


@scenario("healthy_apartment_neighbours", "none",
          "Five strong networks share channel 6 but utilisation is low and no client suffers; no complaint.")
def _():
    h = Home()
    h.fault(lambda t, s: strong_neighbors(s, 6, 5, base=-66))
    return h.input()


@scenario("healthy_outage_elsewhere", "none", "An area outage on another node; this site is not covered.")
def _():
    return Home().input(outages=[{"id": "OUT-901", "covers_site": False, "start": iso(NOW - 2 * HOUR),
                                  "description": "Nodo Maipú 3"}])


@scenario("healthy_old_outage", "none", "An outage that covered the site ended 5 days ago; nothing reported since.")
def _():
    return Home().input(outages=[{"id": "OUT-800", "covers_site": True, "start": iso(NOW - 5 * DAY - 3 * HOUR),
                                  "end": iso(NOW - 5 * DAY), "description": "Corte de fibra troncal"}])


@scenario("healthy_probe_isolated_losses", "none",
          "A probe ran 12 h and saw only two short cuts (below the flag); nobody complained.")
def _():
    return Home().input(probe_events=[cut("lan_gateway", NOW - 9 * HOUR, 4), cut("gateway_anchor", NOW - 3 * HOUR, 3)],
                        probe_window=(NOW - 12 * HOUR, NOW))


@scenario("healthy_docsis_64qam", "none", "A 64-QAM downstream at 29 dB SNR: fine for 64-QAM.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        s["docsis_downstream"][1]["modulation"] = "QAM64"
        s["docsis_downstream"][1]["snr_db"] = 29.0
    return h.input()


# --------------------------------------------------------------------------------- congestion
@scenario("congestion_24_cochannel", "wifi.congestion",
          "Six strong networks on our channel 6 since this morning; 2.4 GHz clients retry 15 %. Channel 11 is free.")
def _():
    h = Home(clients=DEFAULT_CLIENTS + [("tablet-sofia", "2.4GHz", -59, 4)])

    @h.fault
    def f(t, s):
        if t >= NOW - 6 * HOUR:
            strong_neighbors(s, 6, 6)
            for c in s["clients"]:
                if c["band"] == "2.4GHz":
                    c["retransmissions_pct"] = 15
            radio(s, "2.4GHz")["utilization_pct"] = 48
    return h.input(symptoms=symptoms("slow", "slow", ["laptop-caro"], since=NOW - 5 * HOUR))


@scenario("congestion_24_utilization", "wifi.congestion",
          "2.4 GHz channel busy 78 % of the time (ReceiveOther 55 %), auto channel off.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        r = radio(s, "2.4GHz")
        r["utilization_pct"] = 78
        r["receive_other_pct"] = 55
        r["auto_channel"] = False
    return h.input()


@scenario("congestion_new_neighbour_all_clients", "wifi.congestion",
          "A new neighbour mesh on channel 6 appeared yesterday 20:00; both 2.4 GHz laptops degraded at that moment.")
def _():
    clients = [("laptop-ana", "2.4GHz", -58, 3), ("laptop-beto", "2.4GHz", -61, 4), ("phone-ana", "5GHz", -55, 2)]
    h = Home(clients=clients)
    onset = NOW - 19 * HOUR

    @h.fault
    def f(t, s):
        if t >= onset:
            strong_neighbors(s, 6, 5, base=-55)
            radio(s, "2.4GHz")["utilization_pct"] = 67
            radio(s, "2.4GHz")["receive_other_pct"] = 41
            for c in s["clients"]:
                if c["band"] == "2.4GHz":
                    c["retransmissions_pct"] = 27
    return h.input(symptoms=symptoms("wifi_drops", "intermittent", ["laptop-ana", "laptop-beto"], since=onset))


@scenario("congestion_5ghz_busy", "wifi.congestion", "5 GHz channel 44 busy 82 % of the time (a neighbour's 80 MHz).")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        radio(s, "5GHz")["utilization_pct"] = 82
        strong_neighbors(s, 44, 2, band="5GHz", base=-60)
    return h.input(symptoms=symptoms("slow", "slow"))


@scenario("congestion_noise_microwave", "wifi.congestion",
          "2.4 GHz noise floor at -74 dBm (non-Wi-Fi interference) with retries on the 2.4 GHz laptop.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        radio(s, "2.4GHz")["noise_dbm"] = -74
        client(s, "laptop-caro")["retransmissions_pct"] = 24
    return h.input(symptoms=symptoms("wifi_drops", "intermittent", ["laptop-caro"]))


# -------------------------------------------------------------------------------- weak client
@scenario("weak_client_5ghz_far", "wifi.weak_client", "laptop-beto on 5 GHz at -81 dBm from the back bedroom.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        client(s, "laptop-beto")["signal_dbm"] = -81
        client(s, "laptop-beto")["snr_db"] = 12
        client(s, "laptop-beto")["retransmissions_pct"] = 22
    return h.input(symptoms=symptoms("slow", "slow", ["laptop-beto"]))


@scenario("weak_client_24_garden", "wifi.weak_client", "A 2.4 GHz garden camera at -83 dBm.")
def _():
    h = Home(clients=DEFAULT_CLIENTS + [("camara-jardin", "2.4GHz", -83, 18)])
    return h.input()


@scenario("weak_two_far_rooms", "wifi.weak_client", "Two devices in far rooms at -79 and -86 dBm (always): mesh advice.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        client(s, "laptop-caro")["signal_dbm"] = -79
        client(s, "phone-ana")["signal_dbm"] = -86
    return h.input()


# ---------------------------------------------------------------------------- retransmissions
@scenario("retrans_5ghz_interference", "wifi.retransmissions",
          "All 5 GHz clients retry 30-35 % with good signal, for the whole day; no neighbours, no noise reading.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        for c in s["clients"]:
            if c["band"] == "5GHz":
                c["retransmissions_pct"] = 30 + (int(c["mac"][-1], 16) % 6)
    return h.input()


@scenario("retrans_radio_errors", "wifi.retransmissions",
          "The 2.4 GHz radio's ErrorsSent grow 9 % as fast as PacketsSent.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        r = radio(s, "2.4GHz")
        r["stats"]["errors_sent"] = r["stats"]["packets_sent"] * 9 // 100
    return h.input()


# --------------------------------------------------------------------------- gateway unstable
@scenario("gateway_reboot_loop", "gateway.instability", "Five uptime resets in 24 h, no firmware change.")
def _():
    h = Home()
    boots = [NOW - 21 * HOUR, NOW - 16 * HOUR, NOW - 11 * HOUR, NOW - 6 * HOUR, NOW - 2 * HOUR]

    @h.fault
    def f(t, s):
        last = max([b for b in boots if b <= t], default=None)
        if last is not None:
            s["uptime_s"] = t - last
    return h.input(symptoms=symptoms("no_internet", "intermittent"))


@scenario("gateway_overheating_reboots", "gateway.instability",
          "Gateway at 88 °C (alarm 90) and two afternoon reboots.")
def _():
    h = Home()
    boots = [NOW - 5 * HOUR, NOW - 2 * HOUR]

    @h.fault
    def f(t, s):
        last = max([b for b in boots if b <= t], default=None)
        if last is not None:
            s["uptime_s"] = t - last
        s["temperature_c"] = 88 if t >= NOW - 6 * HOUR else 70
    return h.input(symptoms=symptoms("no_internet", "intermittent"))


@scenario("gateway_watchdog_firmware", "gateway.instability",
          "Firmware 7.3.0 installed 20 h ago; since then watchdog reboots every few hours.")
def _():
    h = Home()
    update = NOW - 20 * HOUR
    boots = [update, NOW - 14 * HOUR, NOW - 8 * HOUR, NOW - 3 * HOUR]

    @h.fault
    def f(t, s):
        last = max([b for b in boots if b <= t], default=None)
        if last is not None:
            s["uptime_s"] = t - last
            s["software_version"] = "7.3.0"
            s["reboots"]["watchdog_boot_count"] = len([b for b in boots if b <= t]) - 1
    return h.input(symptoms=symptoms("wifi_drops", "intermittent"),
                   changes=[{"kind": "firmware", "at": iso(update), "from": "7.2.0", "to": "7.3.0"}])


# ------------------------------------------------------------------------------- common cause
def degrade(h, onset, names, retrans=29, stagger=0):
    @h.fault
    def f(t, s):
        for k, n in enumerate(names):
            if t >= onset + k * stagger:
                client(s, n)["retransmissions_pct"] = retrans
                client(s, n)["downlink_kbps"] = 26000


@scenario("story_three_laptops_firmware", "common_cause.gateway",
          "The story: three laptops degrade together 20 min after firmware 7.2.0 -> 7.2.1 (ACS record); micro-cuts "
          "on the LAN probe.")
def _():
    h = Home()
    update = NOW - 14 * HOUR - 1200
    onset = NOW - 14 * HOUR

    @h.fault
    def fw(t, s):
        if t >= update:
            s["software_version"] = "7.2.1"
    degrade(h, onset, ["laptop-ana", "laptop-beto", "laptop-caro"])
    cuts = [cut("lan_gateway", onset + 600 + k * 2900, 5 + k % 4) for k in range(16)]
    return h.input(symptoms=symptoms("wifi_drops", "intermittent", ["laptop-ana", "laptop-beto", "laptop-caro"],
                                     since=onset), probe_events=cuts, probe_window=(onset, NOW),
                   changes=[{"kind": "firmware", "at": iso(update), "from": "7.2.0", "to": "7.2.1"}])


@scenario("common_cause_firmware_from_telemetry", "common_cause.gateway",
          "SoftwareVersion changed at 03:00 (no ACS record: the vendor pushed it); four clients degraded by 04:00.")
def _():
    h = Home(clients=DEFAULT_CLIENTS + [("tablet-sofia", "5GHz", -60, 3)])
    update = NOW - 12 * HOUR
    boot = update

    @h.fault
    def fw(t, s):
        if t >= update:
            s["software_version"] = "7.2.4"
            s["uptime_s"] = t - boot
    degrade(h, update + 1800, ["laptop-ana", "laptop-beto", "phone-ana", "tablet-sofia"], stagger=0)
    return h.input(symptoms=symptoms("slow", "slow"))


@scenario("common_cause_config_change", "common_cause.gateway",
          "Transmit power lowered 100 -> 25 % by a bulk configuration job; three clients weak since.")
def _():
    h = Home()
    change = NOW - 9 * HOUR

    @h.fault
    def f(t, s):
        if t >= change:
            for r in s["radios"]:
                r["transmit_power_pct"] = 25
            for n in ("laptop-ana", "laptop-beto", "phone-ana"):
                c = client(s, n)
                c["signal_dbm"] -= 24
                c["snr_db"] = 93 + c["signal_dbm"]
    return h.input(symptoms=symptoms("wifi_drops", "intermittent"),
                   changes=[{"kind": "configuration", "at": iso(change), "from": "100", "to": "25",
                             "what": "Device.WiFi.Radio.2.TransmitPower"}])


@scenario("common_cause_unknown", "common_cause.gateway",
          "Three clients on two bands degrade within 30 min of each other; no recorded change.")
def _():
    h = Home()
    degrade(h, NOW - 7 * HOUR, ["laptop-ana", "laptop-caro", "phone-ana"], stagger=900)
    return h.input(symptoms=symptoms("wifi_drops", "intermittent"))


@scenario("common_cause_noisy_history", "common_cause.gateway",
          "Like the story but the telemetry flickers (one good sample inside the degraded run) and one client "
          "is missing from two informs.")
def _():
    h = Home()
    update = NOW - 16 * HOUR
    onset = NOW - 15 * HOUR
    degrade(h, onset, ["laptop-ana", "laptop-beto", "laptop-caro"])

    @h.fault
    def f(t, s):
        if t == NOW - 10 * HOUR:
            client(s, "laptop-beto")["retransmissions_pct"] = 12
        if t in (NOW - 6 * HOUR, NOW - 5 * HOUR - 1800):
            s["clients"] = [c for c in s["clients"] if c["mac"] != mac(3)]
    return h.input(symptoms=symptoms("wifi_drops", "intermittent"),
                   changes=[{"kind": "firmware", "at": iso(update), "from": "7.2.0", "to": "7.2.1"}])


# ----------------------------------------------------------------------------------- DOCSIS line
@scenario("docsis_low_snr", "line.docsis", "Downstream SNR 28-30 dB on 256-QAM; Wi-Fi fine; wired TV box glitches.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        for d in s["docsis_downstream"]:
            d["snr_db"] = 28.5 + d["index"]
    return h.input(symptoms=symptoms("slow", "intermittent"))


@scenario("docsis_uncorrectables", "line.docsis", "Uncorrectable codewords at 4 % over the last 5 hours.")
def _():
    h = Home()
    start = NOW - 5 * HOUR

    @h.fault
    def f(t, s):
        if t > start:
            for d in s["docsis_downstream"]:
                d["uncorrectable"] += (t - start) * 2500 * 4 // 100
    return h.input(symptoms=symptoms("no_internet", "intermittent"))


@scenario("docsis_t3_t4_first_hop", "line.docsis",
          "T3 timeouts climbing, two T4 resets, and the gateway->first-hop probe cuts 14 times.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        if t >= NOW - 8 * HOUR:
            u = s["docsis_upstream"][0]
            u["t3_timeouts"] = 1 + (t - (NOW - 8 * HOUR)) // 600
            u["t4_timeouts"] = 2 if t >= NOW - 3 * HOUR else 0
            u["tx_power_dbmv"] = 52.5
    cuts = [cut("gateway_first_hop", NOW - 8 * HOUR + k * 2000, 6 + k % 5) for k in range(14)]
    return h.input(symptoms=symptoms("no_internet", "intermittent"), probe_events=cuts,
                   probe_window=(NOW - 9 * HOUR, NOW))


@scenario("docsis_power_low", "line.docsis", "Downstream power -14 dBmV on both channels (bad splitter).")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        for d in s["docsis_downstream"]:
            d["power_dbmv"] = -14.2
    return h.input(symptoms=symptoms("slow", "constant"))


# ----------------------------------------------------------------------------------- area outage
@scenario("area_outage_active", "area.outage", "Node outage in progress since 40 min; modem cannot reach anything.")
def _():
    h = Home()
    return h.input(symptoms=symptoms("no_internet", "constant", since=NOW - 35 * 60),
                   outages=[{"id": "OUT-1207", "covers_site": True, "start": iso(NOW - 40 * 60),
                             "description": "Nodo Ñuñoa 14: corte de fibra"}],
                   probe_events=[cut("gateway_first_hop", NOW - 40 * 60, 2400, kind="outage")],
                   probe_window=(NOW - 2 * HOUR, NOW))


@scenario("area_outage_with_bad_line", "area.outage",
          "An active node outage while the modem also shows low SNR: the outage comes first.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        if t >= NOW - HOUR:
            for d in s["docsis_downstream"]:
                d["snr_db"] = 24
    return h.input(symptoms=symptoms("no_internet", "constant"),
                   outages=[{"id": "OUT-1300", "covers_site": True, "start": iso(NOW - HOUR),
                             "description": "Amplificador caído, Providencia"}])


# --------------------------------------------------------------------------------- single client
@scenario("single_client_driver", "client.single",
          "Only laptop-beto (good signal) retries 44 % and crawls; the other three are fine.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        client(s, "laptop-beto")["retransmissions_pct"] = 44
        client(s, "laptop-beto")["downlink_kbps"] = 6500
    return h.input(symptoms=symptoms("slow", "slow", ["laptop-beto"]))


@scenario("single_client_flapping", "client.single",
          "phone-ana drops and rejoins every 2 h (AssociationTime resets); others never re-associate.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        k = (t - (NOW - 24 * HOUR)) // (2 * HOUR)
        client(s, "phone-ana")["association_time"] = iso(NOW - 24 * HOUR + k * 2 * HOUR + 7)
    return h.input(symptoms=symptoms("wifi_drops", "intermittent", ["phone-ana"]))


@scenario("single_client_steer", "client.single",
          "A dual-band laptop parked on 2.4 GHz at -52 dBm retries 38 %; others fine.")
def _():
    h = Home(clients=DEFAULT_CLIENTS + [("laptop-diego", "2.4GHz", -52, 38)])
    return h.input(symptoms=symptoms("slow", "slow", ["laptop-diego"]))


# ------------------------------------------------------------------------------------ LAN cuts
@scenario("lan_micro_outages_channel_hops", "wifi.micro_outages",
          "Auto channel hops 6<->11 every hour and each hop cuts the LAN probe for ~5 s; metrics look fine.")
def _():
    h = Home()
    first = NOW - 12 * HOUR

    @h.fault
    def f(t, s):
        if t >= first:
            k = (t - first) // HOUR
            r = radio(s, "2.4GHz")
            r["channel"] = 11 if k % 2 == 0 else 6
            r["channel_last_change_s"] = (t - first) % HOUR
            r["stats"]["total_channel_changes"] = 1 + k + 1
    cuts = [cut("lan_gateway", first + k * HOUR - 2, 5) for k in range(12)]
    return h.input(symptoms=symptoms("wifi_drops", "intermittent"), probe_events=cuts,
                   probe_window=(first - HOUR, NOW))


@scenario("lan_micro_outages_unexplained", "wifi.micro_outages",
          "A laptop agent sees 11 LAN cuts in 6 h, first hop clean, nothing in the 30-min telemetry.")
def _():
    h = Home()
    cuts = [cut("lan_gateway", NOW - 6 * HOUR + k * 1900, 4 + k % 3) for k in range(11)]
    cuts += [cut("gateway_anchor", NOW - 2 * HOUR, 3)]
    return h.input(symptoms=symptoms("wifi_drops", "intermittent"), probe_events=cuts,
                   probe_window=(NOW - 7 * HOUR, NOW))


# ------------------------------------------------------------------------------- no evidence yet
@scenario("no_evidence_tr098_new_customer", "evidence.missing",
          "TR-098 gateway without vendor RSSI, first inform 1 h ago, no probe: cannot conclude.")
def _():
    h = Home(data_model="tr098", docsis=False)
    return h.input(symptoms=symptoms("wifi_drops", "intermittent"), history=2)


@scenario("no_evidence_stale_gateway", "evidence.missing",
          "The gateway's last inform was 9 hours ago; the customer reports slowness now.")
def _():
    h = Home()
    inp = h.input(symptoms=symptoms("slow", "slow"), history=30, current_at=NOW - 9 * HOUR)
    inp["history"] = [x for x in inp["history"] if x["taken_at"] < iso(NOW - 9 * HOUR)]
    return inp


@scenario("no_evidence_clean_data_no_probe", "evidence.missing",
          "Complaint of intermittent drops; 24 h of telemetry look normal and no probe has run yet.")
def _():
    return Home().input(symptoms=symptoms("wifi_drops", "intermittent", ["laptop-ana"]))


# ------------------------------------------------------------------- harder / mixed signals
@scenario("healthy_dfs_event_once", "none",
          "One radar (DFS) move on 5 GHz at 04:00: channel 52 -> 44, every 5 GHz client re-associated once, "
          "all fine since; no complaint.")
def _():
    h = Home()
    move = NOW - 11 * HOUR

    @h.fault
    def f(t, s):
        r = radio(s, "5GHz")
        if t < move:
            r["channel"] = 52
        else:
            r["channel_last_selection_reason"] = "Auto_DFS"
            r["channel_last_change_s"] = t - move
            for c in s["clients"]:
                if c["band"] == "5GHz":
                    c["association_time"] = iso(move + 40)
    return h.input()


@scenario("healthy_firmware_update_no_impact", "none",
          "Firmware 7.2.0 -> 7.2.1 last night with its reboot; no device degraded, no complaint.")
def _():
    h = Home()
    update = NOW - 10 * HOUR

    @h.fault
    def f(t, s):
        if t >= update:
            s["software_version"] = "7.2.1"
            s["uptime_s"] = t - update
    return h.input(changes=[{"kind": "firmware", "at": iso(update), "from": "7.2.0", "to": "7.2.1"}])


@scenario("weak_client_tr098_vendor_rssi", "wifi.weak_client",
          "TR-098 gateway whose vendor RSSI extension shows the bedroom PC at -80 dBm.")
def _():
    h = Home(data_model="tr098", docsis=False)

    @h.fault
    def f(t, s):
        for c in s["clients"]:
            c["signal_dbm"] = -80 if c["mac"] == mac(2) else -57
    return h.input(symptoms=symptoms("slow", "slow", ["laptop-beto"]))


@scenario("evidence_named_device_absent", "evidence.missing",
          "The customer says the smart TV drops; the gateway has not seen that device today and the rest is clean.")
def _():
    return Home().input(symptoms=symptoms("wifi_drops", "intermittent", ["smart-tv-living"]),
                        probe_window=(NOW - 6 * HOUR, NOW))


@scenario("mixed_weak_and_single", "wifi.weak_client",
          "One device far away (-82 dBm) while another, close, is fine: distance, not a device fault.")
def _():
    h = Home()

    @h.fault
    def f(t, s):
        c = client(s, "laptop-caro")
        c["signal_dbm"] = -82
        c["retransmissions_pct"] = 35
    return h.input(symptoms=symptoms("slow", "slow", ["laptop-caro"]))


def trim_history(s):
    """History snapshots carry what the engine reads over time; names and identities come from the
    current snapshot (keeps the corpus small)."""
    s = copy.deepcopy(s)
    for k in ("oui", "product_class", "serial", "hosts", "access_points", "memory_total_kib", "memory_free_kib",
              "temperature_high_alarm_c"):
        s.pop(k, None)
    for c in s.get("clients", []):
        for k in ("noise_dbm", "uplink_kbps", "ap_index"):
            c.pop(k, None)
    for r in s.get("radios", []):
        r["stats"].pop("packets_received", None)
        r["stats"].pop("errors_received", None)
    return s


def main():
    os.makedirs(OUT, exist_ok=True)
    for old in os.listdir(OUT):
        if old.endswith(".json"):
            os.remove(os.path.join(OUT, old))
    for name, expected, description, fn in SCENARIOS:
        inp = fn()
        hist = [trim_history(x) for x in inp.pop("history")]
        current = inp.pop("current")
        inp["current"] = "__CURRENT__"
        inp["history"] = "__HISTORY__"
        doc = {"name": name, "description": description, "expected_top_finding": expected, "input": inp}
        text = json.dumps(doc, ensure_ascii=False, indent=1)
        # Snapshots: one compact object per line keeps files small and diffs readable.
        compact = lambda x: json.dumps(x, ensure_ascii=False, separators=(",", ":"))
        text = text.replace('"__CURRENT__"', compact(current))
        text = text.replace('"__HISTORY__"', "[\n" + ",\n".join("   " + compact(x) for x in hist) + "\n  ]")
        assert json.loads(text)["input"]["current"] == current
        with open(os.path.join(OUT, name + ".json"), "w", encoding="utf-8") as f:
            f.write(text + "\n")
    print("wrote %d scenarios to %s" % (len(SCENARIOS), OUT))


if __name__ == "__main__":
    main()
