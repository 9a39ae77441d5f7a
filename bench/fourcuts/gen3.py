#!/usr/bin/env python3
"""gen3.py — a third, independent feed generator for the Four Cuts engine.

Written only from the contract (docs/spec/events.md) and the issue text, without
reading the engine, its simulator or altgen.py, so that it does not share their
blind spots.  Standard library only.

    python3 gen3.py OUTDIR TRUTH [--people N] [--days D] [--seed S] [...]

Writes a feed directory OUTDIR (JSON Lines, CSV with CRLF and quoted
multi-line fields, gzip including multi-member, events up to ~9 minutes out
of order, duplicates, a few malformed lines) and the ground truth TRUTH
(outside the feed).  The malformed lines are listed in TRUTH + ".bad" as
{"file","line","kind"} so a checker can verify each is rejected once.

The city: residents with one to several cards (dual-SIM, shared family
phones, legal multi-card holders up to five per carrier), couriers and a
sales call centre (~80 short calls a day), companies onboarding 60 staff from
one office NAT within an hour, a campus NAT, carrier-grade NAT addresses
shared by thousands, commercial VPN exits used by ordinary people, gamers on
PC emulators, IoT cards held by a company.  Black operations: cat pools
(fixed cards, many IMSIs on few modems), GoIP gateways (IMSI churn or fixed
cards, rewritten IMEIs), code-receiving platforms (SMS-only card stocks),
bulk-opened cards (odd-hour outlets, far-away holders, several cards per
holder across carriers), sold real cards, and registration studios with
varied tactics (lockstep bursts or human-paced drip; emulator fingerprint
churn, group-control phones with multi-open, clean device spoofing;
dial-up, proxy or IDC lines).
"""
import argparse
import datetime as dt
import gzip
import hashlib
import ipaddress
import json
import os
import random
import zlib

CST = dt.timezone(dt.timedelta(hours=8))

CARRIERS = {
    "cmcc": (["134", "135", "136", "137", "138", "139", "150", "151", "152", "157", "158", "159", "182", "187", "188", "198"], "46000"),
    "cucc": (["130", "131", "132", "155", "156", "166", "185", "186", "175"], "46001"),
    "ctcc": (["133", "153", "173", "177", "180", "181", "189", "199"], "46011"),
}
MNC = {"cmcc": "00", "cucc": "01", "ctcc": "11"}
LOCAL_REGIONS = ["370102", "370103", "370104", "370105", "370112", "370113"]
FAR_REGIONS = ["530102", "530111", "650102", "650103", "450102", "450103", "520102", "632123", "540102", "460105", "230102"]
PLATFORMS = {  # name -> sender port
    "wechat": "10690700", "alipay": "10690583", "taobao": "10690910", "douyin": "10690688",
    "kuaishou": "10690888", "weibo": "10690090", "meituan": "10690255", "pinduoduo": "10691010",
    "jd": "10690118", "xiaohongshu": "10690777", "bilibili": "10690123", "didi": "10690566",
    "qq": "10690700", "ctrip": "10690620",
}
GAME_PLATFORMS = ["tencentgame", "netease", "mihoyo"]
WORK_PLATFORMS = ["wecom", "dingtalk", "feishu"]
PLATFORMS["tencentgame"] = "10690301"
PLATFORMS["netease"] = "10690163"
PLATFORMS["mihoyo"] = "10690521"
PLATFORMS["wecom"] = "10690702"
PLATFORMS["dingtalk"] = "10690966"
PLATFORMS["feishu"] = "10690133"
CONSUMER = ["wechat", "alipay", "taobao", "douyin", "kuaishou", "weibo", "meituan", "pinduoduo", "jd", "xiaohongshu", "bilibili", "didi", "qq", "ctrip"]
ANDROID_MODELS = [("Xiaomi 13", "Android 13"), ("Redmi K60", "Android 13"), ("HUAWEI Mate 40", "HarmonyOS 3.0"),
                  ("HONOR 80", "Android 12"), ("OPPO Reno9", "Android 13"), ("vivo X90", "Android 13"),
                  ("Redmi Note 12, 5G", "Android 12"), ("OnePlus 11", "Android 13"), ("Samsung Galaxy S23", "Android 13"),
                  ("Redmi 9A", "Android 10"), ("OPPO A57", "Android 12")]
IOS_MODELS = [("iPhone14,2", "iOS 16.5"), ("iPhone13,2", "iOS 16.3"), ("iPhone15,3", "iOS 17.1"), ("iPhone12,1", "iOS 15.7")]
EMU_MODELS = [("SM-G9810", "Android 7.1.2"), ("MuMu", "Android 6.0.1"), ("LDPlayer", "Android 9"), ("NoxPlayer", "Android 7.1.2")]
IMPOSSIBLE = [("iPhone14,2", "Android 9"), ("Redmi K60", "Android 5.1"), ("HUAWEI Mate 40", "iOS 15.0"), ("iPhone11,8", "Android 7.1.2")]
PHONE_TACS = ["86453204", "86754203", "35209911", "86958705", "35332511", "86887104", "86201105", "86735003"]
MODEM_TACS = ["86222203", "35425100", "86799901"]  # cheap modem TACs


def luhn_digit(body):
    s = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        s += d
    return str((10 - s % 10) % 10)


def id_check(body17):
    w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    return "10X98765432"[sum(int(c) * x for c, x in zip(body17, w)) % 11]


class Gen:
    def __init__(self, a):
        self.a = a
        self.r = random.Random(a.seed)
        self.t0 = dt.datetime(2024, 3, 4, tzinfo=CST).timestamp()
        self.T = a.days * 86400
        self.events = []  # (ts, dict)
        self.used = set()
        self.truth = {}  # (cat, etype, entity) -> gang
        self.ip_intel = {}
        self.cells = ["460-%s-%d-%d" % ("00", self.r.randint(20000, 29999), self.r.randint(1000, 65000)) for _ in range(max(30, a.people // 150))]
        self.seq = 0

    # ---------- identifiers ----------
    def msisdn(self, carrier=None, prefixes=None):
        carrier = carrier or self.r.choice(["cmcc"] * 6 + ["cucc"] * 3 + ["ctcc"] * 3)
        pre = prefixes or CARRIERS[carrier][0]
        while True:
            n = self.r.choice(pre) + "".join(self.r.choice("0123456789") for _ in range(8))
            if n not in self.used:
                self.used.add(n)
                return n, carrier

    def card(self, carrier=None, prefixes=None):
        n, c = self.msisdn(carrier, prefixes)
        imsi = CARRIERS[c][1] + "".join(self.r.choice("0123456789") for _ in range(10))
        iccid = "8986" + MNC[c] + "".join(self.r.choice("0123456789") for _ in range(13))
        if self.r.random() < 0.2:
            iccid = iccid[:19] + "F"
        return {"msisdn": n, "carrier": c, "imsi": imsi, "iccid": iccid}

    def imei(self, tac=None, valid=True):
        body = (tac or self.r.choice(PHONE_TACS)) + "".join(self.r.choice("0123456789") for _ in range(6))
        d = luhn_digit(body)
        if not valid:
            d = str((int(d) + self.r.randint(1, 9)) % 10)
        return body + d

    def holder(self, region):
        if self.r.random() < self.a.pseudonym_share:
            return "p" + hashlib.sha256(("h%d%d" % (self.a.seed, self.r.getrandbits(48))).encode()).hexdigest()[:24]
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=self.r.randint(0, 365 * 55))
        body = region + birth.strftime("%Y%m%d") + "%03d" % self.r.randint(0, 999)
        return body + id_check(body)

    def device(self):
        return "fp" + "%030x" % self.r.getrandbits(120)

    def ip4(self, net):
        return str(ipaddress.ip_network(net)[self.r.randint(1, ipaddress.ip_network(net).num_addresses - 2)])

    def acct(self):
        return "u%d" % self.r.randint(10**8, 10**10)

    # ---------- events ----------
    def emit(self, ts, d):
        if ts < self.t0 - 10 * 365 * 86400:
            ts = self.t0 - 10 * 365 * 86400
        self.events.append((ts, d))

    def day_ts(self, day, h0, h1):
        return self.t0 + day * 86400 + self.r.uniform(h0, h1) * 3600

    def mark(self, cat, etype, ent, gang):
        self.truth.setdefault((cat, etype, ent), gang)

    def sim(self, ts, c, holder, outlet, region, action="activate"):
        self.emit(ts, {"type": "sim", "msisdn": c["msisdn"], "imsi": c["imsi"], "iccid": c["iccid"], "holder": holder,
                       "outlet": outlet, "carrier": c["carrier"], "region": region, "action": action, "src": c["carrier"]})

    def call(self, ts, a, aimei, acell, peer, dur, b=None, bimei=None, bcell=None):
        """a calls peer; if b (a card dict of a subscriber in the feed), its mt view too."""
        self.emit(ts, {"type": "cdr", "msisdn": a["msisdn"], "peer": peer, "dir": "mo", "dur": dur,
                       "imsi": a["imsi"], "imei": aimei, "cell": acell, "src": a["carrier"]})
        if b is not None:
            self.emit(ts + self.r.uniform(0, 2), {"type": "cdr", "msisdn": b["msisdn"], "peer": a["msisdn"], "dir": "mt", "dur": dur,
                                                  "imsi": b["imsi"], "imei": bimei, "cell": bcell, "src": b["carrier"]})

    def otp(self, ts, c, platform):
        self.emit(ts, {"type": "sms", "msisdn": c["msisdn"], "sender": PLATFORMS[platform], "platform": platform, "kind": "otp", "src": c["carrier"]})

    def reg(self, ts, platform, account, c, dev, imei, ip, model, os_, flags):
        d = {"type": "reg", "platform": platform, "account": account, "msisdn": c["msisdn"], "device": dev, "ip": ip,
             "model": model, "os": os_, "src": platform}
        if imei and not os_.startswith("iOS"):
            d["imei"] = imei
        if flags:
            d["flags"] = flags
        self.otp(ts - self.r.uniform(8, 90), c, platform)
        self.emit(ts, d)

    # ---------- the legitimate city ----------
    def city(self):
        a, r = self.a, self.r
        self.people = []
        self.cgnat = {c: [self.ip4("10.0.0.0/8").replace("10.", str(r.choice([112, 117, 120, 223])) + ".", 1) for _ in range(max(4, a.people // 2500))] for c in CARRIERS}
        for c, ips in self.cgnat.items():
            for ip in ips:
                if r.random() < 0.6:
                    self.ip_intel[ip] = {"kind": "mobile", "isp": c, "shared": r.choice([2000, 5000, 12000]), "asn": 9808}
        self.vpn_exits = [self.ip4("45.76.0.0/16") for _ in range(6)]
        for ip in self.vpn_exits:
            self.ip_intel[ip] = {"kind": r.choice(["proxy", "idc"]), "asn": 20473, "isp": "vultr"}
        self.campus = [self.ip4("202.194.0.0/16") for _ in range(3)]
        for ip in self.campus:
            self.ip_intel[ip] = {"kind": "broadband", "isp": "cernet", "shared": 8000}
        outlets = ["OUT-%04d" % i for i in range(40)]
        for i in range(a.people):
            region = r.choice(LOCAL_REGIONS) if r.random() < 0.9 else r.choice(FAR_REGIONS)
            p = {"id": i, "holder": self.holder(region), "region": region}
            ncards = 1
            x = r.random()
            if x < 0.25:
                ncards = 2
            elif x < 0.25 + a.multicard:
                ncards = r.randint(3, 8)
            carriers = []
            cards = []
            for k in range(ncards):
                c = r.choice(list(CARRIERS))
                if carriers.count(c) >= 5:
                    c = [z for z in CARRIERS if carriers.count(z) < 5][0]
                carriers.append(c)
                cards.append(self.card(c))
            p["cards"] = cards
            ios = r.random() < 0.3
            m = r.choice(IOS_MODELS if ios else ANDROID_MODELS)
            p["model"], p["os"] = m
            p["imei"] = self.imei()
            p["imei2"] = p["imei"] if r.random() < 0.5 else self.imei()  # dual-SIM: same or paired IMEI
            p["dev"] = self.device()
            p["cell"] = r.choice(self.cells)
            p["wcell"] = r.choice(self.cells)
            p["home"] = self.ip4("27.0.0.0/8") if r.random() < 0.6 else None
            if p["home"] and r.random() < 0.1:
                self.ip_intel[p["home"]] = {"kind": "broadband", "isp": "cucc"}
            p["contacts"] = []
            p["role"] = "resident"
            self.people.append(p)
            for k, c in enumerate(cards):
                ts = self.t0 - r.uniform(30, 9 * 365) * 86400
                self.sim(ts, c, p["holder"], r.choice(outlets), region if r.random() < 0.9 else r.choice(LOCAL_REGIONS))
        # households: shared family phone
        for i in range(0, a.people - 4, 4):
            if r.random() < 0.25:
                fam = self.people[i:i + r.randint(2, 4)]
                shared = self.imei()
                for p in fam:
                    p["shared"] = shared
                    p["contacts"] += [q["id"] for q in fam if q is not p]
        for p in self.people:
            p["contacts"] += [r.randrange(a.people) for _ in range(r.randint(5, 25))]
            p["contacts"] = [x for x in p["contacts"] if x != p["id"]]
        # roles
        ids = list(range(a.people))
        r.shuffle(ids)
        k = 0
        ncour = int(a.people * a.couriers)
        for j in ids[k:k + ncour]:
            self.people[j]["role"] = "courier"
        k += ncour
        self.callcentre = [self.people[j] for j in ids[k:k + a.sales]]
        k += a.sales
        cc_cell, cc_tac = r.choice(self.cells), r.choice(PHONE_TACS)
        for p in self.callcentre:
            p["role"] = "sales"
            p["wcell"] = cc_cell
            p["imei"] = p["imei2"] = self.imei(cc_tac)
        ngam = int(a.people * a.gamers)
        for j in ids[k:k + ngam]:
            p = self.people[j]
            p["role"] = "gamer"
            p["emu"] = [self.device() for _ in range(r.randint(1, 2))]
            p["emu_model"] = r.choice(EMU_MODELS)
        k += ngam
        nstu = int(a.people * 0.06)
        for j in ids[k:k + nstu]:
            self.people[j]["student"] = True
        k += nstu
        nvpn = int(a.people * 0.01)
        for j in ids[k:k + nvpn]:
            self.people[j]["vpn"] = True

    def person_card(self, p):
        c = p["cards"][0] if self.r.random() < 0.75 or len(p["cards"]) == 1 else self.r.choice(p["cards"])
        k = p["cards"].index(c)
        if p.get("shared") and self.r.random() < 0.3:
            return c, p["shared"]
        if len(p["cards"]) > 2 and k >= 2:
            return c, p.setdefault("imei_x%d" % k, self.imei())  # a drawer phone
        return c, (p["imei"] if k == 0 else p["imei2"])

    def person_ip(self, p, day, hour):
        r = self.r
        if p.get("vpn") and r.random() < 0.5:
            return r.choice(self.vpn_exits)
        if p.get("student") and r.random() < 0.7:
            return r.choice(self.campus)
        if p["home"] and (hour >= 19 or hour < 8) and r.random() < 0.7:
            return p["home"]
        return r.choice(self.cgnat[p["cards"][0]["carrier"]])

    def city_days(self):
        a, r = self.a, self.r
        P = self.people
        for day in range(a.days):
            for p in P:
                role = p["role"]
                # calls
                n = {"resident": 0, "gamer": 0, "courier": 80, "sales": 85}[role]
                if role in ("resident", "gamer"):
                    n = min(12, int(r.expovariate(1 / 2.5)))
                for _ in range(n):
                    if role == "sales":
                        ts = self.day_ts(day, 9, 18)
                        peer_p = r.choice(P) if r.random() < 0.6 else None
                        dur = 0 if r.random() < 0.4 else int(r.uniform(3, 45))
                        cell, imei = p["wcell"], p["imei"]
                    elif role == "courier":
                        ts = self.day_ts(day, 8, 20)
                        peer_p = r.choice(P) if r.random() < 0.8 else None
                        dur = 0 if r.random() < 0.1 else int(r.uniform(8, 50))
                        cell, imei = r.choice(self.cells), p["imei"]
                    else:
                        ts = self.day_ts(day, 7, 23.5)
                        peer_p = P[r.choice(p["contacts"])] if p["contacts"] and r.random() < 0.85 else None
                        dur = 0 if r.random() < 0.15 else int(min(3600, r.lognormvariate(4.3, 1.0)))
                        cell = p["cell"] if r.random() < 0.6 else p["wcell"]
                        imei = None
                    c, pimei = self.person_card(p)
                    if role in ("sales", "courier"):
                        c = p["cards"][0]
                    else:
                        imei = pimei
                    if peer_p is not None:
                        b, bimei = self.person_card(peer_p)
                        self.call(ts, c, imei, cell, b["msisdn"], dur, b, bimei, peer_p["cell"])
                        back = {"sales": 0.03, "courier": 0.25}.get(role, 0.3)
                        if r.random() < back:
                            self.call(ts + r.uniform(300, 7200), b, bimei, peer_p["cell"], c["msisdn"], int(r.uniform(5, 200)), c, imei, cell)
                    else:
                        peer = r.choice(["0531" + str(r.randint(8000000, 8999999)), "95" + str(r.randint(500, 599)),
                                         "1" + r.choice(["38", "39", "86", "89"]) + str(r.randint(10**7, 10**8 - 1)), "10086", "12345"])
                        if r.random() < 0.02:
                            peer = "+" + r.choice(["1", "44", "852", "81"]) + str(r.randint(10**8, 10**9))
                        if r.random() < 0.01:
                            peer = "1440" + str(r.randint(10**8, 10**9 - 1))  # 13-digit IoT
                        self.call(ts, c, imei, cell, peer, dur)
                # sms: notices, marketing, login otps
                for _ in range(int(r.expovariate(1 / 1.2))):
                    c = r.choice(p["cards"])
                    kind = r.choice(["otp", "otp", "notice", "marketing"])
                    pl = r.choice(CONSUMER)
                    d = {"type": "sms", "msisdn": c["msisdn"], "sender": PLATFORMS[pl] if kind == "otp" else "10655" + str(r.randint(100, 999)),
                         "src": c["carrier"]}
                    if kind != "otp" or r.random() < 0.5:
                        d["kind"] = kind
                    if kind == "otp" and r.random() < 0.8:
                        d["platform"] = pl
                    self.emit(self.day_ts(day, 7, 24), d)
                # registrations
                rate = 0.12 + (0.15 if role == "gamer" else 0)
                if r.random() < rate:
                    hour = r.uniform(7, 24)
                    ts = self.t0 + day * 86400 + hour * 3600
                    c, imei = self.person_card(p)
                    if role == "gamer" and r.random() < 0.7:
                        pl = r.choice(GAME_PLATFORMS)
                        m = p["emu_model"]
                        fl = ["emulator"] + (["multi_open"] if r.random() < 0.3 else []) + (["root"] if r.random() < 0.3 else [])
                        self.reg(ts, pl, self.acct(), r.choice(p["cards"]), r.choice(p["emu"]), self.imei(valid=r.random() < 0.7) if r.random() < 0.5 else None,
                                 p["home"] or self.person_ip(p, day, hour), m[0], m[1], fl)
                    else:
                        pl = r.choice(CONSUMER)
                        fl = [f for f, q in (("root", 0.02), ("vpn", 0.03 + (0.5 if p.get("vpn") else 0))) if r.random() < q]
                        self.reg(ts, pl, self.acct(), c, p["dev"], imei, self.person_ip(p, day, hour), p["model"], p["os"], fl)
        # companies onboarding 60 staff from one office NAT within an hour
        for k in range(self.a.companies):
            office = self.ip4("58.56.0.0/16")
            if self.r.random() < 0.3:
                self.ip_intel[office] = {"kind": "broadband", "isp": "ctcc"}
            staff = self.r.sample(P, 60)
            day = self.r.randrange(a.days)
            start = self.t0 + day * 86400 + self.r.uniform(9, 16) * 3600
            pl = self.r.choice(WORK_PLATFORMS)
            for p in staff:
                c, imei = self.person_card(p)
                self.reg(start + self.r.uniform(0, 3600), pl, "e%d" % self.r.randint(10**6, 10**7), p["cards"][0], p["dev"], p["imei"], office, p["model"], p["os"], [])
        # IoT cards: a logistics company's trackers, opened in bulk in office hours
        self.iot_holders = []
        for k in range(self.a.iot_fleets):
            h = self.holder(LOCAL_REGIONS[0])
            self.iot_holders.append(h)
            outlet = "ENT-%03d" % k
            base = self.t0 - self.r.uniform(10, 400) * 86400
            for i in range(self.r.randint(150, 400)):
                c = self.card("cmcc", ["147", "148", "172"])
                self.sim(base + self.r.uniform(9, 11) * 3600 + i * 7, c, h, outlet, LOCAL_REGIONS[0])
                if self.r.random() < 0.3:
                    self.emit(self.day_ts(self.r.randrange(a.days), 0, 24), {"type": "sms", "msisdn": c["msisdn"], "sender": "10086", "kind": "notice", "src": "cmcc"})

    # ---------- black operations ----------
    def bulk_cards(self, n, gang, odd=True, before_days=(1, 25)):
        """n cards opened in bulk: one outlet, odd hours, far-away holders with several cards each."""
        r = self.r
        outlet = "OUT-B%03d" % r.randint(0, 999)
        cards = []
        base = self.t0 - r.uniform(*before_days) * 86400
        base = base - (base - self.t0) % 86400  # midnight
        while len(cards) < n:
            region = r.choice(FAR_REGIONS)
            h = self.holder(region)
            for c in r.sample(list(CARRIERS), r.randint(1, 3)):
                for _ in range(r.randint(1, 2)):
                    cd = self.card(c)
                    night = r.randrange(3)
                    ts = base + night * 86400 + (r.uniform(0, 5) if odd else r.uniform(10, 19)) * 3600
                    # region is where the card was opened: the local outlet
                    self.sim(ts, cd, h, outlet if r.random() < 0.85 else "OUT-B%03d" % r.randint(0, 999), r.choice(LOCAL_REGIONS))
                    self.mark("black_card", "msisdn", cd["msisdn"], gang)  # opened in bulk: black by the rule
                    cards.append(cd)
        return cards

    def sold_cards(self, n):
        """real people's cards bought by the gang: ordinary stock activations, local outlets."""
        r = self.r
        cards = []
        for _ in range(n):
            region = r.choice(LOCAL_REGIONS + FAR_REGIONS)
            cd = self.card()
            self.sim(self.t0 - r.uniform(60, 2000) * 86400, cd, self.holder(region), "OUT-%04d" % r.randint(0, 39), region)
            cards.append(cd)
        return cards

    def background_otps(self, cards):
        r = self.r
        for c in cards:
            for _ in range(r.randint(2, 3 * self.a.days)):
                pl = r.choice(CONSUMER + GAME_PLATFORMS)
                d = {"type": "sms", "msisdn": c["msisdn"], "sender": PLATFORMS[pl], "src": c["carrier"]}
                if r.random() < 0.6:
                    d["platform"] = pl
                self.emit(self.day_ts(r.randrange(self.a.days), 0, 24), d)

    def cat_pool(self, gang, ncards, calls):
        r = self.r
        cards = self.bulk_cards(ncards, gang) if r.random() < 0.6 else self.sold_cards(ncards)
        slots = r.choice([8, 16, 32])
        tac = r.choice(MODEM_TACS)
        nmod = max(1, (ncards + slots - 1) // slots)
        modems = [self.imei(tac, valid=r.random() < 0.4) for _ in range(nmod)]
        cell = r.choice(self.cells)
        slot = {c["msisdn"]: modems[i % nmod] for i, c in enumerate(cards)}
        self.background_otps(cards)
        for c in cards:
            self.mark("black_card", "msisdn", c["msisdn"], gang)
        if calls:
            for day in range(self.a.days):
                for c in cards:
                    for _ in range(r.randint(0, 4)):
                        ts = self.day_ts(day, 8, 22)
                        peer = self.r.choice(self.people)
                        b, bimei = self.person_card(peer)
                        self.call(ts, c, slot[c["msisdn"]], cell, b["msisdn"], 0 if r.random() < 0.5 else int(r.uniform(2, 25)), b, bimei, peer["cell"])
            for m in modems:
                self.mark("black_device", "imei", m, gang)
        return cards

    def goip(self, gang, channels, churn):
        r = self.r
        cell = r.choice(self.cells)
        mode = r.choice(["invalid", "same", "random"])
        base = self.imei(r.choice(MODEM_TACS), valid=False)
        chans = [base if mode == "same" else self.imei(r.choice(MODEM_TACS), valid=(mode == "random")) for _ in range(channels)]
        ncards = channels * (self.a.days * 10 if churn else 1)
        if r.random() < 0.5:
            it = iter(self.bulk_cards(ncards, gang))
        else:
            it = (self.sold_cards(1)[0] for _ in range(ncards))
        for ch in chans:
            self.mark("black_device", "imei", ch, gang)
            cur = next(it, None) or self.sold_cards(1)[0]
            for day in range(self.a.days):
                t = self.t0 + day * 86400 + 8.5 * 3600
                end = self.t0 + day * 86400 + 21 * 3600
                used = 0
                while t < end:
                    t += r.expovariate(1 / 240)
                    if churn and used >= r.randint(15, 30):
                        cur = next(it, cur)
                        used = 0
                    used += 1
                    self.mark("black_card", "msisdn", cur["msisdn"], gang)
                    peer = r.choice(self.people) if r.random() < 0.7 else None
                    dur = 0 if r.random() < 0.45 else int(r.uniform(3, 90))
                    if peer:
                        b, bimei = self.person_card(peer)
                        self.call(t, cur, ch, cell, b["msisdn"], dur, b, bimei, peer["cell"])
                        if r.random() < 0.015:
                            self.call(t + r.uniform(600, 9000), b, bimei, peer["cell"], cur["msisdn"], int(r.uniform(3, 40)), cur, ch, cell)
                    else:
                        self.call(t, cur, ch, cell, "1" + r.choice(["38", "59", "87"]) + str(r.randint(10**7, 10**8 - 1)), dur)

    def code_platform(self, gang, ncards):
        cards = self.bulk_cards(ncards, gang) if self.r.random() < 0.5 else self.sold_cards(ncards)
        self.background_otps(cards)
        for c in cards:
            self.mark("black_card", "msisdn", c["msisdn"], gang)
        return cards

    def studio(self, gang, cards, naccts):
        a, r = self.a, self.r
        tactic_dev = r.choice(["emu_churn", "group_control", "spoof_clean"])
        tactic_line = r.choice(["dialup", "proxy", "idc"])
        timing = r.choice(["lockstep", "drip"])
        plats = r.sample(CONSUMER, r.randint(1, 5))
        rpc = max(1, a.regs_per_card if a.regs_per_card else r.randint(1, 6))
        # lines
        if tactic_line == "dialup":
            net = "%d.%d.0.0/16" % (r.choice([36, 39, 113, 171, 182]), r.randint(0, 255))
            lines = [self.ip4(net) for _ in range(max(3, naccts // 2))]
            if r.random() < 0.5:
                lines = [str(ipaddress.ip_address(0x24098C00 << 96 | r.getrandbits(64))) if r.random() < 0.3 else x for x in lines]
            kind = "dialup"
            share = 0.3
        elif tactic_line == "proxy":
            lines = [self.ip4("%d.%d.0.0/16" % (r.choice([103, 154, 156]), r.randint(0, 255))) for _ in range(r.randint(2, 8))]
            kind, share = "proxy", 0.5
        else:
            lines = [self.ip4("%d.%d.0.0/16" % (r.choice([47, 119, 121]), r.randint(0, 255))) for _ in range(r.randint(1, 5))]
            kind, share = "idc", 0.7
        for ip in lines:
            if r.random() < share:
                self.ip_intel[ip] = {"kind": kind, "asn": r.randint(4000, 60000)}
        # devices
        host_imei = self.imei(valid=r.random() < 0.5)
        phones = [(self.device(), self.imei(), r.choice(ANDROID_MODELS)) for _ in range(max(1, naccts // r.randint(4, 12)))]
        # schedule
        times = []
        if timing == "lockstep":
            while len(times) < naccts:
                day = r.randrange(a.days)
                st = self.t0 + day * 86400 + r.uniform(0, 24) * 3600
                for i in range(r.randint(10, 40)):
                    times.append(st + i * r.uniform(5, 25))
        else:
            times = [self.day_ts(r.randrange(a.days), 8, 23.5) for _ in range(naccts)]
        times = sorted(times[:naccts])
        slots = [(c, pl) for c in cards for pl in r.sample(plats, min(len(plats), rpc))]
        r.shuffle(slots)
        if len(slots) < naccts:
            slots = slots * ((naccts // max(1, len(slots))) + 1)
        for i, ts in enumerate(times):
            c, pl = slots[i]
            acct = self.acct()
            if tactic_dev == "emu_churn":
                dev = self.device()
                m = r.choice(EMU_MODELS + IMPOSSIBLE) if r.random() < 0.7 else r.choice(ANDROID_MODELS)
                fl = r.sample(["emulator", "hook", "root", "multi_open"], r.randint(1, 3))
                imei = host_imei if r.random() < 0.6 else None
            elif tactic_dev == "group_control":
                dev, imei, m = r.choice(phones)
                fl = ["multi_open"] + (["root"] if r.random() < 0.3 else [])
            else:
                dev = self.device()
                m = r.choice(ANDROID_MODELS)
                fl = []
                imei = self.imei()
            ip = lines[i % len(lines)] if tactic_line != "dialup" else lines[min(len(lines) - 1, i // 2)]
            self.reg(ts, pl, acct, c, dev, imei, ip, m[0], m[1], fl)
            self.mark("black_account", "account", pl + ":" + acct, gang)
            self.mark("black_line", "ip", ip, gang)
            self.mark("black_software", "device", dev, gang)
            self.mark("black_card", "msisdn", c["msisdn"], gang)
        return "%s/%s/%s rpc=%d" % (tactic_dev, tactic_line, timing, rpc)

    def black(self):
        a, r = self.a, self.r
        g = 0
        self.ops = []
        for _ in range(a.cat_pools):
            g += 1
            gang = "B-%03d" % g
            cards = self.cat_pool(gang, r.randint(*a.pool_cards), calls=r.random() < 0.6)
            for _ in range(r.randint(1, 2)):
                self.ops.append((gang, "catpool+" + self.studio(gang, r.sample(cards, max(2, len(cards) * 2 // 3)), r.randint(*a.studio_accts))))
        for _ in range(a.goips):
            g += 1
            churn = r.random() < 0.6
            self.goip("B-%03d" % g, r.choice([4, 8, 16]), churn)
            self.ops.append(("B-%03d" % g, "goip churn=%s" % churn))
        for _ in range(a.code_platforms):
            g += 1
            gang = "B-%03d" % g
            cards = self.code_platform(gang, r.randint(*a.pool_cards))
            for _ in range(r.randint(1, 3)):
                self.ops.append((gang, "codeplat+" + self.studio(gang, r.sample(cards, max(2, len(cards) // 2)), r.randint(*a.studio_accts))))
        for _ in range(a.studios):
            g += 1
            gang = "B-%03d" % g
            n = r.randint(*a.studio_accts)
            rpc = a.regs_per_card or r.randint(1, 4)
            ncards = max(2, n // rpc)
            cards = self.bulk_cards(ncards, gang, odd=r.random() < 0.7, before_days=(0, 5))
            self.ops.append((gang, "fresh+" + self.studio(gang, cards, n)))
        for _ in range(a.sellers):  # bulk-opened cards sold on, not used inside the feed
            g += 1
            gang = "B-%03d" % g
            for c in self.bulk_cards(r.randint(20, 80), gang, before_days=(-a.days + 1, 10)):
                self.mark("black_card", "msisdn", c["msisdn"], gang)
            self.ops.append((gang, "seller"))

    # ---------- writing ----------
    def fmt_ts(self, ts):
        r = self.r
        x = r.random()
        if x < 0.7:
            return dt.datetime.fromtimestamp(int(ts), CST).isoformat()
        if x < 0.9:
            return dt.datetime.fromtimestamp(ts, dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
        return dt.datetime.fromtimestamp(int(ts), dt.timezone(dt.timedelta(hours=9))).isoformat()

    def fmt_msisdn(self, n, as_json):
        r = self.r
        x = r.random()
        if not n.startswith("1") or len(n) != 11:
            return n
        if x < 0.75:
            return n
        if x < 0.83:
            return "+86" + n
        if x < 0.88:
            return "86 %s %s %s" % (n[:3], n[3:7], n[7:])
        if x < 0.92:
            return "0086-%s-%s-%s" % (n[:3], n[3:7], n[7:])
        if as_json and x < 0.97:
            return int(n)
        return "+86 " + n

    def fmt_ip(self, ip):
        a = ipaddress.ip_address(ip)
        x = self.r.random()
        if a.version == 4 and x < 0.05:
            return "::ffff:" + ip
        if a.version == 6 and x < 0.5:
            return a.exploded.upper()
        return ip

    def render(self, ts, d, as_json):
        r = self.r
        o = {"type": d["type"], "ts": self.fmt_ts(ts)}
        for k, v in d.items():
            if k == "type" or v is None:
                continue
            if k in ("msisdn", "peer"):
                v = self.fmt_msisdn(v, as_json)
            elif k == "ip":
                v = self.fmt_ip(v)
            elif k == "platform" and r.random() < 0.1:
                v = v.capitalize()
            elif k == "dur" and r.random() < 0.2:
                v = str(v)
            elif k in ("imsi", "imei") and as_json and r.random() < 0.1:
                v = int(v) if not v.startswith("0") else v
            elif k == "holder" and v[-1] == "X" and r.random() < 0.3:
                v = v[:-1] + "x"
            o[k] = v
        if r.random() < 0.01:
            o["note"] = "batch, \"q\"\nline2" if not as_json else {"x": 1}
        return o

    def bad_lines(self, as_csv, cols):
        r = self.r
        t = "2024-03-05T10:00:00+08:00"
        cands = [
            ("json", '{"type":"sms","ts":"%s","msisdn":"13800000000"' % t),
            ("notype", {"type": "mms", "ts": t, "msisdn": "13812345678", "sender": "10690000"}),
            ("noreq", {"type": "cdr", "ts": t, "msisdn": "13812345678", "dir": "mo", "dur": 3}),
            ("nooffset", {"type": "sms", "ts": "2024-03-05T10:00:00", "msisdn": "13812345678", "sender": "10690000"}),
            ("imei", {"type": "cdr", "ts": t, "msisdn": "13812345678", "peer": "10086", "dir": "mo", "dur": 3, "imei": "12345"}),
            ("holder", {"type": "sim", "ts": t, "msisdn": "13812345678", "imsi": "460001234567890", "holder": "37010219900101123" + "0", "outlet": "X", "action": "activate"}),
            ("dir", {"type": "cdr", "ts": t, "msisdn": "13812345678", "peer": "10086", "dir": "sideways", "dur": 3}),
            ("ip", {"type": "ip", "ts": t, "ip": "300.1.2.3", "kind": "proxy"}),
            ("dur", {"type": "cdr", "ts": t, "msisdn": "13812345678", "peer": "10086", "dir": "mo", "dur": "3s"}),
            ("msisdn", {"type": "sms", "ts": t, "msisdn": "12345", "sender": "10690000"}),
        ]
        # the holder check digit must really be wrong
        body = "37010219900101123"
        good = id_check(body)
        cands[5][1]["holder"] = body + ("1" if good != "1" else "2")
        if as_csv:
            cands = [c for c in cands if c[0] != "json"] + [("csvquote", None)]
        k, d = r.choice(cands)
        if k == "json":
            return k, d
        if k == "csvquote":  # more fields than the header
            return k, ",".join(["sms", t, "13812345678"] + [""] * (len(cols) - 1))
        if as_csv:
            return k, d
        return k, json.dumps(d)

    def write(self, out):
        r = self.r
        os.makedirs(out, exist_ok=True)
        for ip, info in self.ip_intel.items():
            d = {"type": "ip", "ip": ip}
            d.update(info)
            self.emit(self.t0 - r.uniform(0, 86400 * 30), d)
        # dedupe identical event list entries would not be duplicates; add a few true duplicates
        evs = self.events
        for _ in range(max(3, len(evs) // 2000)):
            evs.append(r.choice(evs))
        # group into files by provider and day
        files = {}
        for ts, d in evs:
            src = d.get("src", "intel")
            if d["type"] == "ip":
                key = "intel"
            elif d["type"] == "sim" and ts < self.t0:
                key = "stock-" + src
            else:
                day = max(0, int((ts - self.t0) // 86400))
                key = "%s-%s-d%d" % ("plat" if d["type"] == "reg" else src, d["type"] if src in CARRIERS else "reg", day)
                if src == "cucc":
                    key = "cucc-mixed-d%d" % day
                if d["type"] == "reg" and r.random() < 0.5:
                    key = "plat-reg2-d%d" % day
            files.setdefault(key, []).append((ts, d))
        self.bad = []
        formats = ["jsonl", "jsonl.gz", "csv", "csv.gz", "jsonl.gz", "csv.gz"]
        for i, (key, lst) in enumerate(sorted(files.items())):
            lst.sort(key=lambda e: e[0] + r.uniform(0, 540))  # up to 9 min out of order
            fmt = formats[(zlib.crc32(key.encode()) + self.a.seed) % len(formats)] if key != "intel" else "jsonl"
            name = "%s.%s" % (key, fmt)
            if r.random() < 0.1:
                name = name.upper().replace(".GZ", ".gz") if "gz" in name else name.replace(".jsonl", ".JSONL")
            as_json = fmt.startswith("jsonl")
            nbad = r.randint(0, self.a.bad_per_file)
            badpos = set(r.sample(range(len(lst)), min(nbad, len(lst))))
            lines = []
            lineno = 0
            if as_json:
                if r.random() < 0.3:
                    lines.append("\ufeff")
                for j, (ts, d) in enumerate(lst):
                    if j in badpos:
                        k, text = self.bad_lines(False, None)
                        lineno += 1
                        lines.append(text + "\n")
                        self.bad.append({"file": name, "line": lineno, "kind": k})
                    if r.random() < 0.002:
                        lines.append("\n")
                        lineno += 1
                    o = self.render(ts, d, True)
                    lineno += 1
                    lines.append(json.dumps(o, ensure_ascii=False) + "\n")
                text = "".join(lines)
                if text.startswith("\ufeff"):
                    pass
            else:
                cols = ["type", "ts", "msisdn", "peer", "dir", "dur", "imsi", "imei", "cell", "iccid", "holder", "outlet", "carrier", "region",
                        "action", "platform", "account", "device", "ip", "model", "os", "flags", "sender", "kind", "asn", "isp", "shared", "src", "note"]
                r.shuffle(cols)
                cols.remove("type")
                cols.insert(r.randrange(len(cols) + 1), "type")

                def cell(v):
                    if isinstance(v, list):
                        v = "|".join(v)
                    if isinstance(v, dict):
                        v = json.dumps(v)
                    v = str(v)
                    if any(ch in v for ch in ',"\r\n') or r.random() < 0.05:
                        return '"' + v.replace('"', '""') + '"'
                    return v
                lines.append(",".join(cols) + "\r\n")
                lineno = 1
                for j, (ts, d) in enumerate(lst):
                    if j in badpos:
                        k, bd = self.bad_lines(True, cols)
                        lineno += 1
                        if isinstance(bd, str):
                            lines.append(bd + "\r\n")
                        else:
                            lines.append(",".join(cell(bd.get(c, "")) for c in cols) + "\r\n")
                        self.bad.append({"file": name, "line": lineno, "kind": k})
                    o = self.render(ts, d, False)
                    rec = ",".join(cell(o.get(c, "")) for c in cols) + "\r\n"
                    lineno += rec.count("\n")
                    lines.append(rec)
            data = "".join(lines).encode("utf-8")
            path = os.path.join(out, name)
            if fmt.endswith("gz"):
                if r.random() < 0.3 and len(data) > 1000:  # multi-member gzip
                    cut = data.index(b"\n", len(data) // 2) + 1
                    data = gzip.compress(data[:cut], mtime=0) + gzip.compress(data[cut:], mtime=0)
                else:
                    data = gzip.compress(data, mtime=0)
            with open(path, "wb") as f:
                f.write(data)
        with open(os.path.join(out, ".hidden.jsonl"), "w") as f:
            f.write("garbage that must be ignored\n")
        with open(os.path.join(out, "README.txt"), "w") as f:
            f.write("not a feed file\n")

    def appeared(self):
        seen = set()
        for ts, d in self.events:
            for k in ("msisdn", "peer", "imei", "ip", "device"):
                if d.get(k):
                    seen.add((k if k != "peer" else "msisdn", d[k]))
            if d["type"] == "reg":
                seen.add(("account", d["platform"] + ":" + d["account"]))
        return seen


def rng2(s):
    a, b = s.split(",")
    return (int(a), int(b))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("truth")
    ap.add_argument("--people", type=int, default=8000)
    ap.add_argument("--days", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--couriers", type=float, default=0.01)
    ap.add_argument("--sales", type=int, default=25, help="call-centre agents")
    ap.add_argument("--gamers", type=float, default=0.03)
    ap.add_argument("--multicard", type=float, default=0.04)
    ap.add_argument("--companies", type=int, default=3)
    ap.add_argument("--iot-fleets", type=int, default=1)
    ap.add_argument("--pseudonym-share", type=float, default=0.3)
    ap.add_argument("--cat-pools", type=int, default=2)
    ap.add_argument("--goips", type=int, default=2)
    ap.add_argument("--code-platforms", type=int, default=2)
    ap.add_argument("--studios", type=int, default=3)
    ap.add_argument("--sellers", type=int, default=1)
    ap.add_argument("--pool-cards", type=rng2, default=(30, 150))
    ap.add_argument("--studio-accts", type=rng2, default=(30, 400))
    ap.add_argument("--regs-per-card", type=int, default=0, help="0: varied per studio")
    ap.add_argument("--bad-per-file", type=int, default=2)
    a = ap.parse_args()
    g = Gen(a)
    g.city()
    g.black()
    g.city_days()
    g.write(a.out)
    seen = g.appeared()
    etmap = {"black_card": "msisdn", "black_device": "imei", "black_line": "ip", "black_software": "device", "black_account": "account"}
    n = 0
    with open(a.truth, "w") as f:
        for (cat, et, ent), gang in sorted(g.truth.items()):
            if (etmap[cat], ent) not in seen:
                continue
            if cat == "black_line":
                ent = str(ipaddress.ip_address(ent))
            f.write(json.dumps({"category": cat, "entity_type": et, "entity": ent, "gang": gang}) + "\n")
            n += 1
    with open(a.truth + ".bad", "w") as f:
        for b in g.bad:
            f.write(json.dumps(b) + "\n")
    with open(a.truth + ".roles", "w") as f:  # debugging aid: who owns each legitimate card
        for p in g.people:
            role = p["role"] + ("+student" if p.get("student") else "") + ("+vpn" if p.get("vpn") else "") + ("+family" if p.get("shared") else "")
            for c in p["cards"]:
                f.write("%s %s ncards=%d\n" % (c["msisdn"], role, len(p["cards"])))
    with open(a.truth + ".allow", "w") as f:  # configuration a carrier would give: its IoT customers
        json.dump({"allow": [{"type": "holder", "value": h, "reason": "IoT fleet"} for h in g.iot_holders]}, f)
    with open(a.truth + ".ops", "w") as f:
        for gang, desc in g.ops:
            f.write("%s %s\n" % (gang, desc))
    print("events %d, truth %d, malformed %d" % (len(g.events), n, len(g.bad)))


if __name__ == "__main__":
    main()
