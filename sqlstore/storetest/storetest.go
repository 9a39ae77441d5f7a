// Package storetest is the conformance suite every sqlstore backend passes.
// Expected outcomes are written out by hand per case; nothing is derived from
// the permission tables under test.
package storetest

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/zhudun/zhudun"
	"github.com/zhudun/zhudun/gmcrypto"
	"github.com/zhudun/zhudun/sqlstore"
)

// Backend opens fresh, migrated stores of one backend.
type Backend struct {
	// Open returns a new, empty, migrated store; a second call with the same
	// name opens the same database again (a second process).
	Open func(t testing.TB, name string, o sqlstore.Options) *sqlstore.Store
	// DropAuditGuards removes the append-only triggers of audit_log and
	// audit_anchor, as an intruder with the database would.
	DropAuditGuards func(t *testing.T, db *sql.DB)
	// RoundTrips, if set, counts the statements sent to the database server
	// so far by the stores Open returned (each is a round trip); nil for an
	// embedded database.
	RoundTrips func() int64
	// Explain returns the plan of q with args on db, one node per line,
	// with sequential scans discouraged (PostgreSQL plans small test
	// tables by scanning them: a plan that scans even so has no index that
	// serves the statement).
	Explain func(t testing.TB, db *sql.DB, q string, args []any) string
}

// Clock is a settable test clock.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// Now returns the clock's time.
func (c *Clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type env struct {
	t       testing.TB
	s       *sqlstore.Store
	keys    *gmcrypto.Keyring
	clock   *Clock
	witness *sqlstore.FileWitness
	sys     context.Context
}

func newEnv(t testing.TB, b Backend) *env {
	keys := gmcrypto.Generate()
	clock := &Clock{t: time.Date(2026, 3, 1, 8, 0, 0, 0, time.UTC)}
	w, err := sqlstore.OpenFileWitness(filepath.Join(t.TempDir(), "audit-witness.log"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	s := b.Open(t, "main", sqlstore.Options{Keys: keys, Now: clock.Now, Witness: w})
	return &env{t: t, s: s, keys: keys, clock: clock, witness: w, sys: zhudun.WithCaller(context.Background(), zhudun.SystemCaller("test"))}
}

// Run runs the suite.
func Run(t *testing.T, b Backend) {
	t.Run("Migrations", func(t *testing.T) { testMigrations(t, b) })
	t.Run("DeptTree", func(t *testing.T) { testDeptTree(t, b) })
	t.Run("ScopeMatrix", func(t *testing.T) { testScopeMatrix(t, b) })
	t.Run("Grants", func(t *testing.T) { testGrants(t, b) })
	t.Run("Roles", func(t *testing.T) { testRoles(t, b) })
	t.Run("AccountReach", func(t *testing.T) { testAccountReach(t, b) })
	t.Run("RoleOwner", func(t *testing.T) { testRoleOwner(t, b) })
	t.Run("Login", func(t *testing.T) { testLogin(t, b) })
	t.Run("LockoutRace", func(t *testing.T) { testLockoutRace(t, b) })
	t.Run("UnknownNameLock", func(t *testing.T) { testUnknownNameLock(t, b) })
	t.Run("LoginAuditFailure", func(t *testing.T) { testLoginAuditFailure(t, b) })
	t.Run("Sessions", func(t *testing.T) { testSessions(t, b) })
	t.Run("PII", func(t *testing.T) { testPII(t, b) })
	t.Run("PIISearch", func(t *testing.T) { testPIISearch(t, b) })
	t.Run("ReasonMasked", func(t *testing.T) { testReasonMasked(t, b) })
	t.Run("SessionEnds", func(t *testing.T) { testSessionEnds(t, b) })
	t.Run("AuditChain", func(t *testing.T) { testAuditChain(t, b) })
	t.Run("AuditTamper", func(t *testing.T) { testAuditTamper(t, b) })
	t.Run("AuditRollback", func(t *testing.T) { testAuditRollback(t, b) })
	t.Run("AuditRecomputed", func(t *testing.T) { testAuditRecomputed(t, b) })
	t.Run("AuditGuards", func(t *testing.T) { testAuditGuards(t, b) })
	t.Run("AuditArchive", func(t *testing.T) { testAuditArchive(t, b) })
	t.Run("AuditConcurrentWriters", func(t *testing.T) { testAuditConcurrent(t, b) })
	t.Run("GroupCommit", func(t *testing.T) { testGroupCommit(t, b) })
	t.Run("IncidentOwnCount", func(t *testing.T) { testIncidentOwnCount(t, b) })
	t.Run("PatrolRekey", func(t *testing.T) { testPatrolRekey(t, b) })
	t.Run("Outbox", func(t *testing.T) { testOutbox(t, b) })
	t.Run("Policy", func(t *testing.T) { testPolicy(t, b) })
	t.Run("PasswordPolicy", func(t *testing.T) { testPasswordPolicy(t, b) })
	t.Run("Dormant", func(t *testing.T) { testDormant(t, b) })
	t.Run("Alerts", func(t *testing.T) { testAlerts(t, b) })
	t.Run("AlertLimiter", func(t *testing.T) { testAlertLimiter(t, b) })
	t.Run("ForwardCursor", func(t *testing.T) { testForwardCursor(t, b) })
	t.Run("PatrolGrids", func(t *testing.T) { testPatrolGrids(t, b) })
	t.Run("PatrolGridLimits", func(t *testing.T) { testPatrolGridLimits(t, b) })
	t.Run("ImportKeys", func(t *testing.T) { testImportKeys(t, b) })
	t.Run("ScopedImport", func(t *testing.T) { testScopedImport(t, b) })
	t.Run("IncidentPaging", func(t *testing.T) { testIncidentPaging(t, b) })
	t.Run("GridLookupFollowsWrites", func(t *testing.T) { testGridLookupFollowsWrites(t, b) })
	t.Run("CreatedAsStored", func(t *testing.T) { testCreatedAsStored(t, b) })
	t.Run("ListPlans", func(t *testing.T) { testListPlans(t, b) })
	t.Run("PatrolDispatch", func(t *testing.T) { testPatrolDispatch(t, b) })
	t.Run("PatrolReport", func(t *testing.T) { testPatrolReport(t, b) })
	t.Run("PatrolPlans", func(t *testing.T) { testPatrolPlans(t, b) })
	t.Run("PatrolCoverage", func(t *testing.T) { testPatrolCoverage(t, b) })
	t.Run("DashboardToday", func(t *testing.T) { testDashboardToday(t, b) })
	t.Run("Retention", func(t *testing.T) { testRetention(t, b) })
	t.Run("PositionRetention", func(t *testing.T) { testPositionRetention(t, b) })
	t.Run("Districts", func(t *testing.T) { testDistricts(t, b) })
	t.Run("UnitCrew", func(t *testing.T) { testUnitCrew(t, b) })
	t.Run("Terminals", func(t *testing.T) { testTerminals(t, b) })
	t.Run("TerminalBinding", func(t *testing.T) { testTerminalBinding(t, b) })
	t.Run("UnitAlarms", func(t *testing.T) { testUnitAlarms(t, b) })
	t.Run("UnitAlarmAck", func(t *testing.T) { testUnitAlarmAck(t, b) })
	t.Run("Sources", func(t *testing.T) { testSources(t, b) })
	t.Run("IngestChunks", func(t *testing.T) { testIngestChunks(t, b) })
	t.Run("Findings", func(t *testing.T) { testFindings(t, b) })
	t.Run("CheckpointFence", func(t *testing.T) { testCheckpointFence(t, b) })
	t.Run("Review", func(t *testing.T) { testReview(t, b) })
	t.Run("TwoPerson", func(t *testing.T) { testTwoPerson(t, b) })
	t.Run("CutLists", func(t *testing.T) { testCutLists(t, b) })
	t.Run("GangAndLeads", func(t *testing.T) { testGangAndLeads(t, b) })
	t.Run("WorkbenchRaces", func(t *testing.T) { testWorkbenchRaces(t, b) })
	t.Run("CutPerNetwork", func(t *testing.T) { testCutPerNetwork(t, b) })
	t.Run("CaseXref", func(t *testing.T) { testCaseXref(t, b) })
	t.Run("CaseAlertsPage", func(t *testing.T) { testCaseAlertsPage(t, b) })
	t.Run("FourCutsReport", func(t *testing.T) { testFourCutsReport(t, b) })
	t.Run("FindingFilters", func(t *testing.T) { testFindingFilters(t, b) })
	t.Run("EngineStatus", func(t *testing.T) { testEngineStatus(t, b) })
	t.Run("CaseNumbering", func(t *testing.T) { testCaseNumbering(t, b) })
	t.Run("CaseFilingRace", func(t *testing.T) { testCaseFilingRace(t, b) })
	t.Run("CaseLifecycle", func(t *testing.T) { testCaseLifecycle(t, b) })
	t.Run("CaseScope", func(t *testing.T) { testCaseScope(t, b) })
	t.Run("CasePeople", func(t *testing.T) { testCasePeople(t, b) })
	t.Run("CaseSeizures", func(t *testing.T) { testCaseSeizures(t, b) })
	t.Run("CaseFromEngine", func(t *testing.T) { testCaseFromEngine(t, b) })
	t.Run("CaseMerge", func(t *testing.T) { testCaseMerge(t, b) })
	t.Run("CaseUnlink", func(t *testing.T) { testCaseUnlink(t, b) })
	t.Run("CaseAttachments", func(t *testing.T) { testCaseAttachments(t, b) })
	t.Run("CaseAttachRace", func(t *testing.T) { testCaseAttachRace(t, b) })
	t.Run("CaseAttachDeleteRace", func(t *testing.T) { testCaseAttachDeleteRace(t, b) })
	t.Run("CaseEdit", func(t *testing.T) { testCaseEdit(t, b) })
	t.Run("CaseImport", func(t *testing.T) { testCaseImport(t, b) })
	t.Run("CyberReport", func(t *testing.T) { testCyberReport(t, b) })
	t.Run("CyberRollupSequence", func(t *testing.T) { testCyberRollupSequence(t, b) })
	t.Run("CyberRollupTampered", func(t *testing.T) { testCyberRollupTampered(t, b) })
	t.Run("CyberRollupRandom", func(t *testing.T) { testCyberRollupRandom(t, b) })
	t.Run("CyberRollupConcurrent", func(t *testing.T) { testCyberRollupConcurrent(t, b) })
	t.Run("Campaigns", func(t *testing.T) { testCampaigns(t, b) })
	t.Run("CampusScope", func(t *testing.T) { testCampusScope(t, b) })
	t.Run("CampusNotices", func(t *testing.T) { testCampusNotices(t, b) })
	t.Run("CampusImport", func(t *testing.T) { testCampusImport(t, b) })
	t.Run("CampusReport", func(t *testing.T) { testCampusReport(t, b) })
	t.Run("CampusBackEntry", func(t *testing.T) { testCampusBackEntry(t, b) })
	t.Run("CampusPhotos", func(t *testing.T) { testCampusPhotos(t, b) })
	t.Run("CampusSchoolEdit", func(t *testing.T) { testCampusSchoolEdit(t, b) })
	t.Run("CampusPoints", func(t *testing.T) { testCampusPoints(t, b) })
	t.Run("CampusGroupRoundEdit", func(t *testing.T) { testCampusGroupRoundEdit(t, b) })
	t.Run("FireIntake", func(t *testing.T) { testFireIntake(t, b) })
	t.Run("FireRepeat", func(t *testing.T) { testFireRepeat(t, b) })
	t.Run("FireEscalation", func(t *testing.T) { testFireEscalation(t, b) })
	t.Run("FireStats", func(t *testing.T) { testFireStats(t, b) })
	t.Run("ShieldCommunities", func(t *testing.T) { testShieldCommunities(t, b) })
	t.Run("ShieldCameras", func(t *testing.T) { testShieldCameras(t, b) })
	t.Run("ShieldSafeUnits", func(t *testing.T) { testShieldSafeUnits(t, b) })
	t.Run("ShieldReport", func(t *testing.T) { testShieldReport(t, b) })
	t.Run("ShieldLevelHistory", func(t *testing.T) { testShieldLevelHistory(t, b) })
	t.Run("ShieldRoads", func(t *testing.T) { testShieldRoads(t, b) })
}

func code(err error) string { return zhudun.ErrorCode(err) }

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// fixture builds the tree used by most tests:
//
//	ROOT
//	├── SB1 (subbureau) ── ST1 (station) ── SQ1 (squad)
//	└── SB2 (subbureau) ── ST2 (station)
func (e *env) fixture() {
	for _, d := range []zhudun.Dept{
		{Code: "SB1", Name: "一分局", Kind: zhudun.DeptSubBureau},
		{Code: "SB2", Name: "二分局", Kind: zhudun.DeptSubBureau},
		{Code: "ST1", Name: "一所", Kind: zhudun.DeptStation, ParentCode: "SB1"},
		{Code: "ST2", Name: "二所", Kind: zhudun.DeptStation, ParentCode: "SB2"},
		{Code: "SQ1", Name: "一中队", Kind: zhudun.DeptSquad, ParentCode: "ST1"},
	} {
		d := d
		e.must(e.s.CreateDept(e.sys, &d))
	}
}

const pw = "S3cure!pass"

func (e *env) user(username, dept string, roles ...string) *zhudun.User {
	e.t.Helper()
	u, err := e.s.CreateUser(e.sys, zhudun.NewUser{Username: username, DeptCode: dept, Password: pw, Own: true, Roles: roles})
	if err != nil {
		e.t.Fatalf("create %s: %v", username, err)
	}
	return u
}

// as returns a context whose caller is the user, built by the store the way
// a request's is.
func (e *env) as(u *zhudun.User) context.Context {
	e.t.Helper()
	c, err := e.s.CallerFor(context.Background(), u.ID)
	if err != nil {
		e.t.Fatal(err)
	}
	c.ClientAddr = "10.0.0.1"
	return zhudun.WithCaller(context.Background(), c)
}
