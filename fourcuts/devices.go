package fourcuts

// imeiSignals computes each voice IMEI's own evidence.
func (d *det) imeiSignals() {
	e, cfg := d.e, d.cfg
	type ck struct {
		cell uint64
		tac  string
	}
	cluster := map[ck]int{}
	for i := range e.imeiSt {
		ia := &e.imeiSt[i]
		if ia.cells == 1 && d.imeiPartners(i) >= 5 {
			name := e.imeis.names[i]
			cluster[ck{ia.cell, name[:min(8, len(name))]}]++
		}
	}
	// members of each static cell+TAC cluster, for the graph stage
	clusterID := map[ck]int32{}
	d.imeiCluster = make([]int32, len(e.imeiSt))
	for i := range e.imeiSt {
		d.imeiCluster[i] = -1
		ia := &e.imeiSt[i]
		if ia.cells == 1 && d.imeiPartners(i) >= 5 {
			name := e.imeis.names[i]
			k := ck{ia.cell, name[:min(8, len(name))]}
			if cluster[k] < cfg.TACCluster {
				continue
			}
			id, ok := clusterID[k]
			if !ok {
				id = int32(len(d.clusters))
				clusterID[k] = id
				d.clusters = append(d.clusters, nil)
			}
			d.imeiCluster[i] = id
			d.clusters[id] = append(d.clusters[id], uint32(i))
		}
	}
	// gateway cells: channels of one gateway share a cell even when their
	// IMEIs (random, valid, of several TACs) share nothing else
	type cellGW struct{ fan, gw int }
	cells := map[uint64]*cellGW{}
	gwLike := make([]bool, len(e.imeiSt))
	for i := range e.imeiSt {
		ia := &e.imeiSt[i]
		if ia.cards == 0 || ia.cells != 1 || !d.imeiFanout(i) {
			continue
		}
		c := cells[ia.cell]
		if c == nil {
			c = &cellGW{}
			cells[ia.cell] = c
		}
		c.fan++
		if d.noIndependentInbound(i) {
			gwLike[i] = true
			c.gw++
		}
	}
	gwID := map[uint64]int32{}
	d.imeiGateway = make([]int32, len(e.imeiSt))
	for i := range e.imeiSt {
		d.imeiGateway[i] = -1
		if !gwLike[i] {
			continue
		}
		cell := e.imeiSt[i].cell
		if c := cells[cell]; c.gw < cfg.TACCluster || 4*c.gw < 3*c.fan {
			continue
		}
		id, ok := gwID[cell]
		if !ok {
			id = int32(len(d.gateways))
			gwID[cell] = id
			d.gateways = append(d.gateways, nil)
		}
		d.imeiGateway[i] = id
		d.gateways[id] = append(d.gateways[id], uint32(i))
	}
	// Invalid check digits are evidence only where valid ones are the rule:
	// a feed whose IMEIs are mostly invalid says nothing by them.
	voice, invalid := 0, 0
	for i := range e.imeiSt {
		if e.imeiSt[i].cards > 0 {
			voice++
			if !LuhnValid(e.imeis.names[i]) {
				invalid++
			}
		}
	}
	luhnMeaningful := invalid*5 <= voice
	for i := range e.imeiSt {
		ia := &e.imeiSt[i]
		if ia.cards == 0 {
			continue
		}
		var ev []Evidence
		name := e.imeis.names[i]
		n := int(max(ia.imsis, ia.cards))
		// A phone some of whose numbers are rung by people they never
		// called belongs to a person (dual SIM, family, several legal
		// cards): many IMSIs there only corroborate.
		inbound := 0
		for _, c := range d.imeiCards[i] {
			if ca := d.aggOf(c); ca.mtPeers-ca.callback >= 2 {
				inbound++
			}
		}
		imsiSig := "imsi_per_imei"
		if inbound > 0 && 5*inbound >= len(d.imeiCards[i]) {
			imsiSig = "imsi_per_imei_personal"
		}
		switch {
		case n >= cfg.IMSIPerIMEIStrong:
			ev = append(ev, sig(imsiSig, float64(n), float64(cfg.IMSIPerIMEIStrong), d.win, 0.65))
		case n >= cfg.IMSIPerIMEI:
			ev = append(ev, sig(imsiSig, float64(n), float64(cfg.IMSIPerIMEI), d.win, 0.5))
		case n == cfg.IMSIPerIMEI-1:
			ev = append(ev, sig(imsiSig, float64(n), float64(cfg.IMSIPerIMEI-1), d.win, 0.25))
		}
		if luhnMeaningful && !LuhnValid(name) {
			ev = append(ev, sig("invalid_imei", 1, 1, "", 0.6))
		}
		if ia.cells == 1 && d.imeiPartners(i) >= 5 {
			if k := cluster[ck{ia.cell, name[:min(8, len(name))]}]; k >= cfg.TACCluster {
				ev = append(ev, sig("static_tac_cluster", float64(k), float64(cfg.TACCluster), d.win, 0.35))
			}
		}
		calls := d.imeiPartners(i)
		if out, short := d.imeiPeers(i), d.imeiShortPeers(i); out >= 10 && float64(short) >= 0.6*float64(out) {
			ev = append(ev, sig("short_calls", float64(short)/float64(out), 0.6, d.win, 0.35))
		}
		if calls >= 10 && ia.cells == 1 {
			ev = append(ev, sig("static_cell", float64(calls), 10, d.win, 0.2))
		}
		if calls >= 5 {
			// cards that call out but have nobody of their own calling in
			lifeless := 0
			for _, c := range d.imeiCards[i] {
				ca := d.aggOf(c)
				if ca.moPeers >= 2 && 5*ca.moShortPeers >= 3*ca.moPeers && ca.callback == 0 && ca.mtPeers <= 1 {
					lifeless++
				}
			}
			if k := len(d.imeiCards[i]); lifeless*5 >= k*4 {
				ev = append(ev, sig("cards_without_life", float64(lifeless)/float64(k), 0.8, d.win, 0.35))
			}
		}
		if d.imeiFanout(i) {
			perDay := float64(d.imeiPeers(i)) / spanDays(ia.cdrFirst, ia.cdrLast)
			ev = append(ev, sig("one_way_fanout", perDay, cfg.FanoutPerDay, "24h", 0.35))
		}
		// a fleet at one place, every member calling strangers one-way:
		// the channels of a gateway
		if cl := d.imeiCluster[i]; cl >= 0 && d.imeiFanout(i) && d.noIndependentInbound(i) {
			fan := 0
			for _, j := range d.clusters[cl] {
				if d.imeiFanout(int(j)) {
					fan++
				}
			}
			if k := len(d.clusters[cl]); fan >= cfg.TACCluster && 4*fan >= 3*k {
				ev = append(ev, sig("gateway_cluster", float64(fan), float64(cfg.TACCluster), d.win, 0.6))
			}
		}
		// the same at cell level, for channels whose IMEIs share no TAC:
		// every channel at the cell (≥ 4, ≥ 75 % of the one-way fan-out
		// IMEIs there) is a static, one-way fan-out with no inbound life
		if g := d.imeiGateway[i]; g >= 0 && !hasSignal(ev, "gateway_cluster") {
			ev = append(ev, sig("gateway_cell", float64(len(d.gateways[g])), float64(cfg.TACCluster), d.win, 0.6))
		}
		d.ownIMEI[i] = ev
	}
}

// imeiPeers sums the distinct peers the IMEI's cards called.
func (d *det) imeiPeers(i int) int32 {
	var peers int32
	for _, c := range d.imeiCards[i] {
		peers += d.aggOf(c).moPeers
	}
	return peers
}

// imeiShortPeers sums the distinct peers the IMEI's cards called briefly.
func (d *det) imeiShortPeers(i int) int32 {
	var n int32
	for _, c := range d.imeiCards[i] {
		n += d.aggOf(c).moShortPeers
	}
	return n
}

// imeiPartners sums the distinct peers the IMEI's cards called or were
// called by. Cards count in full for every IMEI they sat in.
func (d *det) imeiPartners(i int) int32 {
	var n int32
	for _, c := range d.imeiCards[i] {
		ca := d.aggOf(c)
		n += ca.moPeers + ca.mtPeers - ca.callback
	}
	return n
}

// imeiFanout: the IMEI's cards call many distinct peers a day, mostly
// briefly, and almost none call back.
func (d *det) imeiFanout(i int) bool {
	ia := &d.e.imeiSt[i]
	peers := d.imeiPeers(i)
	if peers < 20 {
		return false
	}
	var cb int32
	for _, c := range d.imeiCards[i] {
		cb += d.aggOf(c).callback
	}
	perDay := float64(peers) / spanDays(ia.cdrFirst, ia.cdrLast)
	return perDay >= d.cfg.FanoutPerDay && float64(cb) < d.cfg.CallbackMax*float64(peers) &&
		2*d.imeiShortPeers(i) >= peers
}

// noIndependentInbound: nobody calls the IMEI's cards except people they
// called first — no customers, colleagues or family ringing in, which sales
// staff and couriers have.
func (d *det) noIndependentInbound(i int) bool {
	for _, c := range d.imeiCards[i] {
		ca := d.aggOf(c)
		if ca.mtPeers-ca.callback > 1 {
			return false
		}
	}
	return true
}

func (d *det) imeiEvidence(i int, out []Evidence) []Evidence {
	out = append(out, d.ownIMEI[i]...)
	if d.e.imeiSt[i].cards == 0 {
		return out
	}
	n := 0
	for _, c := range d.imeiCards[i] {
		if d.cardSelfBlack(int(c)) {
			n++
		}
	}
	if n > 0 {
		w := 0.5
		if n >= 2 {
			w = 0.9
		}
		out = append(out, sig("black_cards_inside", float64(n), 1, d.win, w))
	}
	// channels of one gateway share a cell and a TAC: siblings of black
	// channels are channels too
	if cl := d.imeiCluster[i]; cl >= 0 {
		sib := 0
		for _, j := range d.clusters[cl] {
			if int(j) != i && d.bIMEI[j] {
				sib++
			}
		}
		if sib >= 2 {
			out = append(out, sig("black_gateway_siblings", float64(sib), 2, d.win, 0.6))
		}
	}
	return out
}
