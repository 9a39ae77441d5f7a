package e2e

import (
	"strings"
	"testing"
)

// A sub-bureau's system admin adds a department below a station, moves it to
// another station and disables it; the tree shows only the own sub-bureau.
func TestDepartmentTree(t *testing.T) {
	e := start(t)
	p := e.newPage(t, "lixia.sysadmin", 1366, 768)
	p.firstLogin("lixia.sysadmin")
	p.nav("depts", "/system/depts")
	p.waitTextIn(`[data-testid="dept-table"]`, "历下分局")
	p.waitTextIn(`[data-testid="dept-table"]`, "ST370102-01")
	if s := p.textOf(`[data-testid="dept-table"]`); strings.Contains(s, "市中分局") || strings.Contains(s, "SB370103") {
		p.fatalf("another sub-bureau in the tree: %q", s)
	}

	// Add a squad below the first station.
	p.click(`[data-testid="dept-addchild-ST370102-01"]`)
	p.waitVisible("#dept-code")
	p.typeInto("#dept-code", "SQ370102-0101")
	p.typeInto("#dept-name", "测试警务室")
	p.waitTextIn(`[data-testid="dept-form-parent"]`, "(ST370102-01)")
	p.shot("add-dept")
	p.click(`[data-testid="dept-form-save"]`)
	p.noDialog()
	p.waitTextIn(`[data-testid="dept-table"]`, "测试警务室")
	p.waitTextIn(`[data-testid="dept-table"]`, "中队/警务室")

	// Move it below the second station.
	p.click(`[data-testid="dept-move-SQ370102-0101"]`)
	p.waitText("及其全部下级部门将一并移动")
	p.click(`.el-dialog [data-testid="dept-form-parent"]`)
	p.clickText(`.el-tree-select__popper .el-tree-node__content`, "(ST370102-02)")
	p.waitTextIn(`[data-testid="dept-form-parent"]`, "(ST370102-02)")
	p.click(`.el-dialog .el-dialog__title`) // clicking elsewhere closes the list
	p.waitFor("the list to close", `Array.from(document.querySelectorAll('.el-tree-select__popper .el-tree-node__content')).every(el => el.offsetParent === null)`)
	p.click(`[data-testid="dept-form-save"]`)
	p.noDialog()
	p.waitText("已移动")
	parent := eval[string](p, `(() => {
		const rows = Array.from(document.querySelectorAll('[data-testid="dept-table"] .el-table__body tr'))
		const i = rows.findIndex(r => r.innerText.includes('SQ370102-0101'))
		for (let j = i - 1; j >= 0; j--) { if (rows[j].innerText.includes('ST370102-')) return rows[j].innerText.match(/ST370102-\d+/)[0] }
		return ''
	})()`)
	if parent != "ST370102-02" {
		p.fatalf("the moved squad sits below %q, want ST370102-02", parent)
	}

	// Disable it, after confirming.
	p.click(`[data-testid="dept-toggle-SQ370102-0101"]`)
	p.waitText("确定停用“测试警务室”吗")
	p.click(`.el-message-box__btns .el-button--primary`)
	p.waitText("已停用“测试警务室”")
	p.waitFor("the disabled status", `(() => { const r = Array.from(document.querySelectorAll('[data-testid="dept-table"] .el-table__body tr')).find(r => r.innerText.includes('SQ370102-0101')); return !!r && r.innerText.includes('已停用') })()`)
	p.shot("dept-tree")
}
