package accuracy

import (
	"fmt"
	"strconv"
	"strings"
)

// cleanSpecs are the no-personal-data corpus: collections as backends hold
// them that are about machines, products and places of business, not
// people. Every field is a negative; the share of their fields with any
// finding is measured on its own.
func cleanSpecs() []spec {
	region := str(func(x g) string { return x.pick("eu-west-1", "us-east-1", "ap-southeast-2", "fra1", "ams3") })
	host := str(g.hostname)
	ratio := num(func(x g) float64 { return float64(x.n(0, 1000)) / 1000 })
	shopGeo := func(x g) any {
		a, b := x.latLon()
		return map[string]any{"type": "Point", "coordinates": []any{b, a}}
	}
	return []spec{
		{name: "clean/metrics_cpu.ndjson", clean: true, fields: []field{
			neg("timestamp", timestamp), neg("host", host), neg("region", region),
			neg("cpu.user", ratio), neg("cpu.system", ratio), neg("cpu.idle", ratio),
			neg("load.1m", num(func(x g) float64 { return float64(x.n(0, 800)) / 100 })),
			neg("mem.used_bytes", integer(func(x g) int { return x.n(100000000, 900000000) })),
			neg("disk.device", str(func(x g) string { return x.pick("/dev/nvme0n1", "/dev/sda1", "/dev/xvda") })),
			neg("tags[]", func(x g) any { return []any{"env:" + x.pick("prod", "staging"), "team:" + x.pick("core", "data")} }),
		}},
		{name: "clean/iot_telemetry.ndjson", clean: true, fields: []field{
			neg("sensor_id", str(func(x g) string { return "sensor-" + x.digits(4) })),
			neg("gateway", str(func(x g) string { return "gw-" + x.pick("north", "south", "hall-2") })),
			neg("temperature_c", num(func(x g) float64 { return float64(x.n(-200, 450)) / 10 })),
			neg("humidity", integer(func(x g) int { return x.n(10, 95) })),
			neg("pressure_hpa", num(func(x g) float64 { return float64(x.n(9800, 10400)) / 10 })),
			neg("battery_mv", integer(func(x g) int { return x.n(2800, 3300) })),
			neg("rssi", integer(func(x g) int { return -x.n(40, 110) })),
			neg("firmware", version),
			neg("reading_at", timestamp),
		}},
		{name: "clean/product_catalogue.ndjson", clean: true, fields: []field{
			neg("sku", sku), neg("ean", ean), neg("title", str(func(x g) string {
				return x.pick("Oak Table", "Wireless Mouse", "Garden Chair", "Espresso Cups (set of 4)", "Linen Shirt", "LED Bulb E27")
			})),
			neg("brand", str(func(x g) string { return x.pick("Acme", "Nordwerk", "Maison Lumière", "Casa Verde") })),
			neg("price.amount", price), neg("price.currency", currency),
			neg("stock", counter), neg("category_path", str(func(x g) string { return x.pick("Home > Kitchen", "Garden > Furniture", "Office > Accessories") })),
			neg("images[]", func(x g) any { return []any{"https://cdn.example.com/p/" + x.hexDigest(16) + ".jpg"} }),
			neg("description", lorem),
		}},
		{name: "clean/app_config.ndjson", clean: true, fields: []field{
			neg("key", str(func(x g) string {
				return x.pick("checkout.timeout_ms", "search.page_size", "cache.ttl", "feature.dark_mode")
			})),
			neg("value", str(func(x g) string { return x.pick("30000", "25", "3600", "true", "false") })),
			neg("environment", str(func(x g) string { return x.pick("production", "staging") })),
			neg("updated_by", str(func(x g) string { return x.pick("deploy-bot", "terraform", "ci") })),
			neg("updated_at", timestamp),
			neg("version", integer(func(x g) int { return x.n(1, 400) })),
		}},
		{name: "clean/ci_logs.ndjson", clean: true, fields: []field{
			neg("job", str(func(x g) string { return x.pick("build", "test", "lint", "deploy") })),
			neg("runner", host),
			neg("line", str(func(x g) string {
				return x.pick("go: downloading golang.org/x/text v0.14.0", "ok  	github.com/example/shop/cart	0.412s",
					"Step 4/9 : RUN npm ci --omit=dev", "npm WARN deprecated inflight@1.0.6: This module is not supported",
					"Pulling image docker.io/library/postgres:15 (sha256:"+x.hexDigest(64)+")",
					"Test Suites: 42 passed, 42 total", fmt.Sprintf("Elapsed: %dm%02ds", x.n(0, 20), x.n(0, 59)),
					"Uploading artifact dist/app-"+version(x).(string)+".tar.gz (12.4 MB)")
			})),
			neg("exit_code", integer(func(x g) int { return x.pick2(0, 0, 0, 1) })),
			neg("commit", str(func(x g) string { return x.hexDigest(40) })),
			neg("branch", str(func(x g) string { return x.pick("main", "release/2.4", "feature/faster-search") })),
			neg("started_at", timestamp),
		}},
		{name: "clean/feature_flags.ndjson", clean: true, fields: []field{
			neg("flag", str(func(x g) string { return x.pick("new_checkout", "search_v2", "dark_mode", "recommendations") })),
			neg("enabled", lit(true)),
			neg("rollout_percent", integer(func(x g) int { return x.n(0, 100) })),
			neg("variants[]", func(x g) any { return []any{"control", "treatment"} }),
			neg("owner_team", str(func(x g) string { return x.pick("growth", "platform", "payments") })),
			neg("created_at", timestamp),
			neg("rules", str(func(x g) string {
				return jsonString(map[string]any{"country": x.pick("DE", "FR"), "platform": x.pick("ios", "web")})
			})),
			neg("rules<json>.country", nil), neg("rules<json>.platform", nil),
		}},
		{name: "clean/shop_locations.ndjson", clean: true, fields: []field{
			neg("store_id", str(func(x g) string { return "ST-" + x.digits(4) })),
			neg("store_name", str(func(x g) string { return "Acme " + x.pick(cities...) + " " + x.pick("Centre", "Mitte", "Gare") })),
			neg("city", city), neg("country", country),
			neg("opening_hours", str(func(x g) string { return x.pick("Mo-Fr 09:00-20:00", "Mo-Sa 10:00-19:00") })),
			neg("location", shopGeo),
			neg("location.type", nil), neg("location.coordinates", nil),
			neg("floor_area_m2", integer(func(x g) int { return x.n(80, 4000) })),
		}},
		{name: "clean/warehouse_stock.ndjson", clean: true, fields: []field{
			neg("warehouse", str(func(x g) string { return x.pick("FRA-1", "MAD-2", "WAW-1") })),
			neg("bin", str(func(x g) string { return fmt.Sprintf("%s-%02d-%02d", x.pick("A", "B", "C"), x.n(1, 40), x.n(1, 12)) })),
			neg("sku", sku), neg("qty", counter),
			neg("lot", str(func(x g) string { return "L" + x.digits(8) })),
			neg("best_before", str(func(x g) string { return fmt.Sprintf("%04d-%02d-%02d", x.n(2026, 2028), x.n(1, 12), x.n(1, 28)) })),
			neg("counted_at", timestamp),
		}},
		{name: "clean/exchange_rates.ndjson", clean: true, fields: []field{
			neg("pair", str(func(x g) string { return x.pick("EUR-USD", "GBP-EUR", "USD-JPY") })),
			neg("rate", num(func(x g) float64 { return float64(x.n(5000, 20000)) / 10000 })),
			neg("source", str(func(x g) string { return x.pick("ECB", "BoE") })),
			neg("date", str(func(x g) string { return fmt.Sprintf("2026-%02d-%02d", x.n(1, 12), x.n(1, 28)) })),
		}},
		{name: "clean/http_access_aggregates.ndjson", clean: true, fields: []field{
			neg("route", str(func(x g) string { return x.pick("/v1/orders/{id}", "/v1/products", "/health") })),
			neg("method", str(func(x g) string { return x.pick("GET", "POST") })),
			neg("status", integer(func(x g) int { return x.pick2(200, 201, 404, 500) })),
			neg("count", counter),
			neg("p95_ms", num(func(x g) float64 { return float64(x.n(10, 9000)) / 10 })),
			neg("window_start", timestamp),
		}},
		{name: "clean/build_artifacts.ndjson", clean: true, fields: []field{
			neg("name", str(func(x g) string { return x.pick("app-linux-amd64", "app-darwin-arm64", "app.tar.gz") })),
			neg("sha256", str(func(x g) string { return x.hexDigest(64) })),
			neg("md5", str(func(x g) string { return x.hexDigest(32) })),
			neg("size_bytes", integer(func(x g) int { return x.n(1000000, 90000000) })),
			neg("version", version),
			neg("download_url", str(func(x g) string { return "https://releases.example.com/" + x.hexDigest(8) + "/app.tar.gz" })),
		}},
		{name: "clean/queue_stats.ndjson", clean: true, fields: []field{
			neg("queue", str(func(x g) string { return x.pick("orders.created", "emails.outbound", "search.reindex") })),
			neg("depth", counter), neg("consumers", integer(func(x g) int { return x.n(0, 30) })),
			neg("oldest_message_age_s", integer(func(x g) int { return x.n(0, 9000) })),
			neg("broker", host), neg("sampled_at", timestamp),
		}},
		{name: "clean/translations.ndjson", clean: true, fields: []field{
			neg("key", str(func(x g) string { return x.pick("checkout.pay_now", "cart.empty", "account.sign_in", "footer.imprint") })),
			neg("locale", str(func(x g) string { return x.pick("de", "fr", "es", "it", "nl") })),
			neg("text", str(func(x g) string {
				return x.pick("Jetzt bezahlen", "Votre panier est vide", "Iniciar sesión", "Note legali", "Winkelwagen leeg")
			})),
			neg("updated_at", timestamp),
		}},
		{name: "clean/dns_records.ndjson", clean: true, fields: []field{
			neg("zone", str(func(x g) string { return x.pick("example.com", "example.org") })),
			neg("name", str(func(x g) string { return x.pick("www", "api", "mail", "cdn") })),
			neg("type", str(func(x g) string { return x.pick("A", "CNAME", "MX", "TXT") })),
			neg("ttl", integer(func(x g) int { return x.pick2(300, 3600, 86400) })),
			neg("content", str(func(x g) string {
				return x.pick("cdn.example.net", "v=spf1 include:_spf.example.net ~all", "10 mx1.example.net")
			})),
		}},
		{name: "clean/shipping_rates.ndjson", clean: true, fields: []field{
			neg("carrier", str(func(x g) string { return x.pick("DHL", "UPS", "Colissimo", "PostNL") })),
			neg("service", str(func(x g) string { return x.pick("standard", "express") })),
			neg("zone", str(func(x g) string { return x.pick("EU-1", "EU-2", "World") })),
			neg("max_weight_kg", integer(func(x g) int { return x.n(1, 31) })),
			neg("price", price), neg("currency", currency),
			neg("transit_days", str(func(x g) string { return strconv.Itoa(x.n(1, 3)) + "-" + strconv.Itoa(x.n(4, 7)) })),
		}},
		{name: "clean/cron_jobs.ndjson", clean: true, fields: []field{
			neg("name", str(func(x g) string { return x.pick("nightly-backup", "reindex-search", "purge-carts") })),
			neg("schedule", str(func(x g) string { return x.pick("0 3 * * *", "*/15 * * * *", "30 2 * * 1") })),
			neg("last_status", str(func(x g) string { return x.pick("success", "failed") })),
			neg("last_run", timestamp),
			neg("duration_s", integer(func(x g) int { return x.n(1, 3600) })),
			neg("log_tail", str(func(x g) string {
				return x.pick("Backed up 42 tables (3.1 GB) to s3://backups/nightly", "Reindexed 12840 documents in 41s", "Purged 311 carts older than 30 days")
			})),
		}},
		{name: "clean/vehicle_fleet_telemetry.ndjson", clean: true, fields: []field{
			neg("vehicle", str(func(x g) string { return "truck-" + x.digits(3) })),
			neg("depot", str(func(x g) string { return x.pick("Hamburg", "Lyon", "Valencia") })),
			neg("fuel_pct", integer(func(x g) int { return x.n(0, 100) })),
			neg("odometer_km", integer(func(x g) int { return x.n(1000, 900000) })),
			neg("engine_temp_c", integer(func(x g) int { return x.n(60, 110) })),
			neg("fault_codes[]", func(x g) any { return []any{x.pick("P0420", "P0171", "U0100")} }),
			neg("recorded_at", timestamp),
		}},
		{name: "clean/ab_test_results.ndjson", clean: true, fields: []field{
			neg("experiment", str(func(x g) string { return x.pick("exp_checkout_button", "exp_search_ranking") })),
			neg("variant", str(func(x g) string { return x.pick("control", "treatment") })),
			neg("visitors", counter), neg("conversions", counter),
			neg("conversion_rate", ratio),
			neg("p_value", ratio),
			neg("day", str(func(x g) string { return fmt.Sprintf("2026-%02d-%02d", x.n(1, 12), x.n(1, 28)) })),
		}},
		{name: "clean/service_registry.ndjson", clean: true, fields: []field{
			neg("service", str(func(x g) string { return x.pick("checkout", "catalog", "search") })),
			neg("endpoint", str(func(x g) string {
				return "10." + strconv.Itoa(x.n(0, 255)) + "." + strconv.Itoa(x.n(0, 255)) + "." + strconv.Itoa(x.n(1, 254)) + ":8080"
			})),
			neg("health_url", str(func(x g) string { return "http://" + x.hostname() + ":8080/healthz" })),
			neg("version", version),
			neg("instance_id", str(func(x g) string { return "i-" + x.hexDigest(17) })),
			neg("started_at", timestamp),
		}},
		{name: "clean/api_usage_by_plan.ndjson", clean: true, fields: []field{
			neg("plan", str(func(x g) string { return x.pick("free", "pro", "enterprise") })),
			neg("requests", counter),
			neg("errors", counter),
			neg("month", str(func(x g) string { return fmt.Sprintf("2026-%02d", x.n(1, 12)) })),
			neg("quota", integer(func(x g) int { return x.pick2(1000, 100000, 1000000) })),
		}},
		{name: "clean/weather_stations.ndjson", clean: true, fields: []field{
			neg("station", str(func(x g) string { return x.pick("EDDF", "LFPG", "LEMD", "EHAM") })),
			neg("lat", lat), neg("lon", lon),
			neg("wind_kt", integer(func(x g) int { return x.n(0, 60) })),
			neg("visibility_m", integer(func(x g) int { return x.n(100, 9999) })),
			neg("metar", str(func(x g) string {
				return x.pick("EDDF", "LFPG") + fmt.Sprintf(" %02d%02d%02dZ %03d%02dKT 9999 FEW030 %02d/%02d Q10%02d", x.n(1, 28), x.n(0, 23), x.n(0, 59), x.n(0, 36)*10, x.n(0, 30), x.n(0, 30), x.n(0, 20), x.n(0, 30))
			})),
		}},
		{name: "clean/cdn_cache_keys.ndjson", clean: true, fields: []field{
			neg("key", str(func(x g) string { return "/static/" + x.hexDigest(8) + "/" + x.pick("app.js", "main.css", "logo.svg") })),
			neg("etag", str(func(x g) string { return "W/\"" + x.hexDigest(16) + "\"" })),
			neg("hits", counter),
			neg("bytes", integer(func(x g) int { return x.n(200, 900000) })),
			neg("pop", str(func(x g) string { return strings.ToUpper(x.pick("fra", "cdg", "mad", "ams")) })),
		}},
	}
}
