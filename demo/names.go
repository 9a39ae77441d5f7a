package demo

// districtTable is what the demo knows about each district beyond its
// boundary: the ASCII slug used in usernames, the conventional name of its
// public security (sub-)bureau, and its real streets and towns (乡镇、街道,
// from china-division; see data/SOURCE.md) that stations are named after.
type districtTable struct {
	code      string
	slug      string
	subBureau string
	streets   []string
}

// jinan lists the districts in code order.
var jinan = []districtTable{
	{"370102", "lixia", "历下分局", []string{
		"解放路街道", "千佛山街道", "趵突泉街道", "泉城路街道", "大明湖街道", "东关街道", "文东街道",
		"建新街道", "甸柳街道", "燕山街道", "姚家街道", "龙洞街道", "智远街道"}},
	{"370103", "shizhong", "市中分局", []string{
		"大观园街道", "杆石桥街道", "四里村街道", "魏家庄街道", "二七街道", "七里山街道", "六里山街道",
		"舜玉路街道", "泺源街道", "王官庄街道", "舜耕街道", "白马山街道", "七贤街道", "十六里河街道",
		"兴隆街道", "党家街道", "陡沟街道"}},
	{"370104", "huaiyin", "槐荫分局", []string{
		"振兴街街道", "中大槐树街道", "道德街街道", "西市场街道", "五里沟街道", "营市街街道", "青年公园街道",
		"南辛庄街道", "段店北路街道", "张庄路街道", "匡山街道", "美里湖街道", "腊山街道", "兴福街道",
		"玉清湖街道", "吴家堡街道"}},
	{"370105", "tianqiao", "天桥分局", []string{
		"无影山街道", "天桥东街街道", "北村街道", "南村街道", "堤口路街道", "北坦街道", "制锦市街道",
		"宝华街道", "官扎营街道", "纬北路街道", "药山街道", "北园街道", "泺口街道", "桑梓店街道", "大桥街道"}},
	{"370112", "licheng", "历城分局", []string{
		"山大路街道", "洪家楼街道", "东风街道", "全福街道", "华山街道", "荷花路街道", "王舍人街道",
		"鲍山街道", "郭店街道", "唐冶街道", "港沟街道", "董家街道", "彩石街道", "仲宫街道", "柳埠街道",
		"唐王街道", "西营街道"}},
	{"370113", "changqing", "长清分局", []string{
		"文昌街道", "崮云湖街道", "平安街道", "五峰山街道", "归德街道", "张夏街道", "万德街道", "孝里街道",
		"马山镇", "双泉镇"}},
	{"370114", "zhangqiu", "章丘分局", []string{
		"明水街道", "双山街道", "枣园街道", "龙山街道", "埠村街道", "圣井街道", "普集街道", "绣惠街道",
		"相公庄街道", "文祖街道", "官庄街道", "高官寨街道", "白云湖街道", "宁家埠街道", "曹范街道",
		"刁镇街道", "黄河街道", "垛庄镇"}},
	{"370115", "jiyang", "济阳分局", []string{
		"济阳街道", "济北街道", "崔寨街道", "孙耿街道", "回河街道", "太平街道", "垛石街道", "曲堤街道",
		"仁风镇", "新市镇"}},
	{"370116", "laiwu", "莱芜分局", []string{
		"凤城街道", "张家洼街道", "高庄街道", "鹏泉街道", "口镇街道", "羊里街道", "方下街道", "雪野街道",
		"牛泉镇", "苗山镇", "大王庄镇", "寨里镇", "杨庄镇", "茶业口镇", "和庄镇"}},
	{"370117", "gangcheng", "钢城分局", []string{
		"艾山街道", "里辛街道", "汶源街道", "颜庄街道", "辛庄街道"}},
	{"370124", "pingyin", "平阴县公安局", []string{
		"榆山街道", "锦水街道", "东阿镇", "孝直镇", "孔村镇", "洪范池镇", "玫瑰镇", "安城镇"}},
	{"370126", "shanghe", "商河县公安局", []string{
		"许商街道", "殷巷镇", "怀仁镇", "龙桑寺镇", "郑路镇", "贾庄镇", "玉皇庙镇", "白桥镇", "孙集镇",
		"韩庙镇", "沙河镇", "张坊镇"}},
}

func districtInfo(code string) (districtTable, bool) {
	for _, d := range jinan {
		if d.code == code {
			return d, true
		}
	}
	return districtTable{}, false
}

// stationName turns a street or town into the conventional name of its
// police station: 泉城路街道 → 泉城路派出所, 马山镇 → 马山派出所, but
// 口镇街道 → 口镇派出所 (the town is called 口镇).
func stationName(street string) string {
	r := []rune(street)
	switch {
	case len(r) > 2 && string(r[len(r)-2:]) == "街道":
		r = r[:len(r)-2]
	case len(r) > 2 && r[len(r)-1] == '镇':
		r = r[:len(r)-1]
	}
	return string(r) + "派出所"
}

// Common surnames and given-name characters for generated display names.
var (
	surnames = []rune("王李张刘陈杨赵黄周吴徐孙马朱胡郭何林高罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	given    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建文辉力斌宇浩凯鹏飞鑫志国庆海峰瑞晨欣怡佳琳雪梅婷晓东博航宁")
)
