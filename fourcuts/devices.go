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
		if ia.cells == 1 && int(d.imeiPartners(i)) >= cfg.StaticPartners {
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
		if ia.cells == 1 && int(d.imeiPartners(i)) >= cfg.StaticPartners {
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
		if c := cells[cell]; c.gw < cfg.TACCluster || float64(c.gw) < cfg.GatewayShare*float64(c.fan) {
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
	luhnMeaningful := float64(invalid) <= cfg.InvalidIMEIMaxShare*float64(voice)
	// the holder who opened each card, for ownCards
	holderOf := fill(d.nCards, -1)
	for _, a := range e.acts {
		if a.action == ActionActivate {
			holderOf[d.actNode(a)] = int32(a.holder)
		}
	}
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
			if ca := d.aggOf(c); int(ca.mtPeers-ca.callback) >= cfg.PersonalCallers {
				inbound++
			}
		}
		imsiSig := "imsi_per_imei"
		if inbound > 0 && float64(inbound) >= cfg.PersonalShare*float64(len(d.imeiCards[i])) || d.ownCards(i, holderOf) {
			imsiSig = "imsi_per_imei_personal"
		}
		switch {
		case n >= cfg.IMSIPerIMEIStrong:
			ev = d.emit(ev, imsiSig, float64(n), float64(cfg.IMSIPerIMEIStrong), d.win, 0.65, "PersonalShare", cfg.PersonalShare, "PerCarrierLegal", cfg.PerCarrierLegal)
		case n >= cfg.IMSIPerIMEI:
			ev = d.emit(ev, imsiSig, float64(n), float64(cfg.IMSIPerIMEI), d.win, 0.5, "PersonalShare", cfg.PersonalShare, "PerCarrierLegal", cfg.PerCarrierLegal)
		case n == cfg.IMSIPerIMEI-1:
			ev = d.emit(ev, imsiSig, float64(n), float64(cfg.IMSIPerIMEI-1), d.win, 0.25, "PersonalShare", cfg.PersonalShare, "PerCarrierLegal", cfg.PerCarrierLegal)
		}
		if luhnMeaningful && !LuhnValid(name) {
			ev = d.emit(ev, "invalid_imei", 1, 1, "", 0.6, "InvalidIMEIMaxShare", cfg.InvalidIMEIMaxShare)
		}
		if ia.cells == 1 && int(d.imeiPartners(i)) >= cfg.StaticPartners {
			if k := cluster[ck{ia.cell, name[:min(8, len(name))]}]; k >= cfg.TACCluster {
				ev = d.emit(ev, "static_tac_cluster", float64(k), float64(cfg.TACCluster), d.win, 0.35, "StaticPartners", cfg.StaticPartners)
			}
		}
		calls := int(d.imeiPartners(i))
		if out, short := d.imeiPeers(i), d.imeiShortPeers(i); int(out) >= cfg.ShortCallsPeers && float64(short) >= cfg.ShortCallsShare*float64(out) {
			ev = d.emit(ev, "short_calls", float64(short)/float64(out), cfg.ShortCallsShare, d.win, 0.35, "ShortCallsPeers", cfg.ShortCallsPeers)
		}
		if calls >= cfg.StaticCellPartners && ia.cells == 1 {
			ev = d.emit(ev, "static_cell", float64(calls), float64(cfg.StaticCellPartners), d.win, 0.2)
		}
		if calls >= cfg.LifelessCallsMin {
			// cards that call out, mostly briefly, but have nobody of their
			// own calling in
			lifeless := 0
			for _, c := range d.imeiCards[i] {
				ca := d.aggOf(c)
				if ca.moPeers >= 2 && float64(ca.moShortPeers) >= cfg.ShortCallsShare*float64(ca.moPeers) && ca.callback == 0 && int(ca.mtPeers) <= cfg.QuietCallers {
					lifeless++
				}
			}
			if k := len(d.imeiCards[i]); float64(lifeless) >= cfg.LifelessCardShare*float64(k) {
				ev = d.emit(ev, "cards_without_life", float64(lifeless)/float64(k), cfg.LifelessCardShare, d.win, 0.35,
					"LifelessCallsMin", cfg.LifelessCallsMin, "ShortCallsShare", cfg.ShortCallsShare, "QuietCallers", cfg.QuietCallers)
			}
		}
		// Cards passed between devices at one place: a gateway's or pool's
		// cards rotate through its channels; sales staff do not swap SIMs
		// (a family sharing phones at home does, but does not fan out).
		if ia.cells == 1 {
			swapped := 0
			for _, c := range d.imeiCards[i] {
				for _, j := range d.cardIMEIs[c] {
					if int(j) != i && e.imeiSt[j].cells == 1 && e.imeiSt[j].cell == ia.cell {
						swapped++
						break
					}
				}
			}
			if swapped > 0 {
				ev = d.emit(ev, "cards_swapped_at_cell", float64(swapped), 1, d.win, 0.3)
			}
		}
		if d.imeiFanout(i) {
			perDay := float64(d.imeiPeers(i)) / spanDays(ia.cdrFirst, ia.cdrLast)
			ev = d.emit(ev, "one_way_fanout", perDay, cfg.FanoutPerDay, "24h", 0.35,
				"FanoutPeers", cfg.FanoutPeers, "CallbackMax", cfg.CallbackMax, "FanoutShortShare", cfg.FanoutShortShare)
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
			if k := len(d.clusters[cl]); fan >= cfg.TACCluster && float64(fan) >= cfg.GatewayShare*float64(k) {
				ev = d.emit(ev, "gateway_cluster", float64(fan), float64(cfg.TACCluster), d.win, 0.6,
					"GatewayShare", cfg.GatewayShare, "QuietCallers", cfg.QuietCallers)
			}
		}
		// the same at cell level, for channels whose IMEIs share no TAC:
		// every channel at the cell (≥ TACCluster, ≥ GatewayShare of the
		// one-way fan-out IMEIs there) is a static, one-way fan-out with no
		// inbound life
		if g := d.imeiGateway[i]; g >= 0 && !hasSignal(ev, "gateway_cluster") {
			ev = d.emit(ev, "gateway_cell", float64(len(d.gateways[g])), float64(cfg.TACCluster), d.win, 0.6,
				"GatewayShare", cfg.GatewayShare, "QuietCallers", cfg.QuietCallers)
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
	if int(peers) < d.cfg.FanoutPeers {
		return false
	}
	var cb int32
	for _, c := range d.imeiCards[i] {
		cb += d.aggOf(c).callback
	}
	perDay := float64(peers) / spanDays(ia.cdrFirst, ia.cdrLast)
	return perDay >= d.cfg.FanoutPerDay && float64(cb) < d.cfg.CallbackMax*float64(peers) &&
		float64(d.imeiShortPeers(i)) >= d.cfg.FanoutShortShare*float64(peers)
}

// noIndependentInbound: nobody calls the IMEI's cards except people they
// called first — no customers, colleagues or family ringing in, which sales
// staff and couriers have.
func (d *det) noIndependentInbound(i int) bool {
	for _, c := range d.imeiCards[i] {
		ca := d.aggOf(c)
		if int(ca.mtPeers-ca.callback) > d.cfg.QuietCallers {
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
		if n >= d.cfg.BlackNeighbours {
			w = 0.9
		}
		out = d.emit(out, "black_cards_inside", float64(n), 1, d.win, w, "MaxRounds", d.cfg.MaxRounds)
	}
	if d.poolCellModem(i) {
		out = d.emit(out, "pool_cell_modem", float64(d.cellBlack[d.e.imeiSt[i].cell]), float64(d.cfg.PoolCellModems), d.win, 0.9,
			"MaxRounds", d.cfg.MaxRounds)
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
		if sib >= d.cfg.GatewaySiblings {
			out = d.emit(out, "black_gateway_siblings", float64(sib), float64(d.cfg.GatewaySiblings), d.win, 0.6, "MaxRounds", d.cfg.MaxRounds)
		}
	}
	return out
}

// poolCellModem: the IMEI sits at a pool's cell — one where at least
// PoolCellModems other black modems sit — and carried one of the pool's
// cards: a card black by its own evidence, or one that also sat in
// another black modem at that cell. A modem slot seen in a single short
// call is the pool's modem by these two facts together, however rarely it
// is seen; a resident's phone at the same cell carries no pool card.
func (d *det) poolCellModem(i int) bool {
	ia := &d.e.imeiSt[i]
	if ia.cells != 1 {
		return false
	}
	others := d.cellBlack[ia.cell]
	if d.bIMEI[i] {
		others--
	}
	if others < d.cfg.PoolCellModems {
		return false
	}
	for _, c := range d.imeiCards[i] {
		if d.cardSelfBlack(int(c)) {
			return true
		}
		for _, j := range d.cardIMEIs[c] {
			if int(j) != i && d.bIMEI[j] && d.e.imeiSt[j].cells == 1 && d.e.imeiSt[j].cell == ia.cell {
				return true
			}
		}
	}
	return false
}

// countCellBlack counts the black single-cell modems per cell for the
// current round.
func (d *det) countCellBlack() {
	clear(d.cellBlack)
	if d.cellBlack == nil {
		d.cellBlack = map[uint64]int{}
	}
	for i, b := range d.bIMEI {
		if ia := &d.e.imeiSt[i]; b && ia.cards > 0 && ia.cells == 1 {
			d.cellBlack[ia.cell]++
		}
	}
}

// ownCards reports an IMEI whose cards were all opened by one holder and
// carry no holder evidence (no ring, none over the legal limit
// PerCarrierLegal, not an enterprise's bulk stock): one
// person's own several legal cards, swapped through their phone, not a
// pool's stock (in the quiet_iphones world, seed 2114, a courier's seven
// cards made the courier's phone a black device and six of the cards black
// through it). A pool filled by one holder ring is still found: the ring's
// cards carry holder_cards, holder_carriers or holder_over_legal, and a
// card black on its own makes the modem black (black_cards_inside).
// Config.OwnCardsPool restores the old reading.
func (d *det) ownCards(i int, holderOf []int32) bool {
	cards := d.imeiCards[i]
	if d.cfg.OwnCardsPool || len(cards) < 2 {
		return false
	}
	h := holderOf[cards[0]]
	if h < 0 {
		return false
	}
	for _, c := range cards {
		if holderOf[c] != h || d.holderStockOf[c] >= 0 {
			return false // another holder; an enterprise's bulk stock is not a person's cards
		}
		for _, ev := range d.ownCard[c] {
			if ev.kind == kindHolder {
				return false
			}
		}
	}
	return true
}
