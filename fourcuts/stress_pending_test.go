//go:build !stress

package fourcuts_test

// stressPending are the stressor worlds the engine does not pass yet
// (precision or recall under 0.95 in some category, as measured when each
// was added). They run with `go test -tags stress ./fourcuts/ -run
// TestStressWorlds`; a world leaves this list when the engine passes it.
var stressPending = map[string]bool{
	"quiet_sales":      true, // call-centre phones become gateway channels (gateway_cluster, gateway_cell)
	"fleets":           true, // fleet cards become black (holder_cards, outlet_burst)
	"evening_migrants": true, // odd_far_outlet and outlet_burst on a factory group's cards, then their accounts
	"family_phones":    true, // a family phone as a black device (black_cards_inside, imsi_per_imei_personal)
	"brief_modems":     true, // pool modems seen in one or two calls are missed
	"quiet_ops":        true, // the ordinary-looking operation is not found
	"all":              true,
}
