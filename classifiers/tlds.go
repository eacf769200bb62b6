package classifiers

import "strings"

// tlds holds the top-level domains an e-mail address may end with: every
// country code and the generic domains in common use.
var tlds = func() map[string]bool {
	m := map[string]bool{}
	for _, t := range strings.Fields(tldList) {
		m[t] = true
	}
	return m
}()

const tldList = `
com org net edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat post xxx
app dev io ai co me tv cc ly gg to fm am
online site shop store tech cloud xyz top club live email blog news media agency digital solutions services
company group global world network systems software design studio social life today space website
page link click one vip work team center centre guru expert consulting email mail inc ltd llc gmbh
bank insurance finance capital money pay credit
health care clinic dental hospital
travel hotel holiday flights tours cruises
berlin paris london nyc tokyo amsterdam barcelona madrid wien hamburg koeln bayern swiss
eu us uk gb de fr es it pt nl be lu ch at dk se no fi is ie pl cz sk hu ro bg gr cy mt si hr ba rs me mk al
ee lv lt by ua md ru ge am az kz uz tr il lb sy jo iq ir sa ae qa kw bh om ye eg ly tn dz ma mr sn gm gn ml
bf ne ng gh ci lr sl tg bj cm cf td ga cg cd ao zm zw mw mz tz ke ug rw bi et so dj er sd ss za na bw ls sz
mg mu sc km re yt ca mx gt bz sv hn ni cr pa cu jm ht do pr bs bb tt ag dm lc vc gd kn ky bm tc vg vi aw cw
sx bq co ve gy sr gf br ec pe bo py uy ar cl fk au nz fj pg sb vu nc pf ws tk to tv nu ck ki nr mh fm pw
cn jp kr kp tw hk mo mn in pk bd lk np bt mv af tj tm kg th vn la kh mm my sg id ph bn tl
ad mc sm va li fo gl gi im je gg ax pm wf tf yt sh ac io gs aq bv hm sj um cx cc nf
`
