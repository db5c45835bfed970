//! UI text in English and Simplified Chinese: one catalogue, looked up by stable keys.
//! A test fails if any key lacks either language.

use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// From a BCP 47 tag such as `navigator.language` ("zh-CN", "en-GB"): Chinese for any
    /// `zh*`, English otherwise.
    pub fn from_tag(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

/// Every UI string: (key, English, Simplified Chinese). Placeholders are `{name}`.
static CATALOGUE: &[(&str, &str, &str)] = &[
    ("app.title", "Concurrency Playground", "并发游乐场"),
    ("app.tagline", "Python's concurrency ideas, run for real in your browser: real workers, real timings.", "Python 并发的核心概念，在你的浏览器里真实运行：真实的工作者，真实的计时。"),
    ("nav.cpu", "CPU", "CPU 计算"),
    ("nav.models", "Models", "并发模型"),
    ("nav.sync", "Sync", "同步原语"),
    ("nav.async", "Async", "异步"),
    ("nav.env", "Environment", "运行环境"),
    ("nav.language", "Language", "语言"),
    ("pool.starting", "Workers starting…", "工作线程启动中…"),
    ("pool.ready", "{n} workers ready", "{n} 个工作线程就绪"),
    ("pool.unavailable", "No threads on this page", "此页面无法使用线程"),
    ("lab.unknown", "There is no lab called “{lab}”. Showing the CPU lab instead.", "没有名为“{lab}”的实验室，已改为显示 CPU 实验室。"),
    ("cpu.title", "CPU-bound work on real workers", "在真实的工作者上运行 CPU 密集型任务"),
    ("cpu.primes.what", "Counts the primes below N by trial division, first on one worker, then on k workers that pull chunks from a shared counter. Same answer, less time — if the work really runs in parallel.", "用试除法统计小于 N 的素数：先用一个工作者计算，再让 k 个工作者从共享计数器领取分块并行计算。答案相同、用时更短——前提是工作真的在并行运行。"),
    ("knob.title", "Knobs", "参数"),
    ("knob.model", "Workers are", "工作者类型"),
    ("knob.model.threads", "threads — one shared memory (needs isolation)", "线程——共享同一块内存（需要跨源隔离）"),
    ("knob.model.processes", "processes — a memory each; data crosses by message", "进程——各自独立的内存；数据通过消息传递"),
    ("knob.workers", "Workers (k)", "工作者数量 (k)"),
    ("knob.workers.sweep", "Sweep up to k workers", "扫描到 k 个工作者"),
    ("knob.limit.primes", "Count primes below", "统计小于此数的素数"),
    ("knob.limit.sum-squares", "Sum i² for i below", "对小于此数的每个 i 求 i² 之和"),
    ("knob.limit.fib", "Number of fib(n) calls", "`fib(n)` 调用次数"),
    ("knob.limit.mandelbrot", "Image rows (height)", "图像行数（高度）"),
    ("knob.n", "n of each fib(n)", "每次 `fib(n)` 的 n"),
    ("knob.width", "Image columns (width)", "图像列数（宽度）"),
    ("knob.max-iter", "Iterations per pixel (cap)", "每像素迭代上限"),
    ("knob.sweep", "Sweep k = 1 … workers (speed-up curve)", "扫描 k = 1 … 工作者数量（加速比曲线）"),
    ("knob.main-thread", "Run on the page's main thread (shows the freeze; capped at 500 ms)", "在页面主线程上运行（演示页面冻结；最多 500 毫秒）"),
    ("ticker.help", "A page timer: it stops whenever the page's main thread is blocked.", "页面计时器：页面主线程一被阻塞，它就停下。"),
    ("cpu.sum-squares.what", "Sums i² for every i below N — tiny work per number — first on one worker, then on k workers taking chunks from a shared counter.", "对小于 N 的每个 i 求 i² 之和——每个数的计算量都很小——先用一个工作者，再让 k 个工作者从共享计数器领取分块。"),
    ("cpu.fib.what", "Computes fib(n) by naive recursion many times over: the classic CPU-bound task. In Python, threads would take turns under the GIL; here the workers really run side by side.", "用朴素递归反复计算 `fib(n)`：经典的 CPU 密集型任务。在 Python 中，线程要在 GIL（全局解释器锁）下轮流执行；这里的工作者真正地并行运行。"),
    ("cpu.mandelbrot.what", "Draws the Mandelbrot set row by row. Rows through the set cost far more than rows outside it, so a few rows at a time (dynamic chunking) keeps every worker busy.", "逐行绘制曼德博集合。穿过集合的行比集合外的行耗时得多，所以每次只领取几行（动态分块），能让每个工作者都保持忙碌。"),
    ("chart.speedup", "Speed-up", "加速比"),
    ("chart.workers", "Workers (k)", "工作者数量 (k)"),
    ("chart.ideal", "Ideal (×k)", "理想值 (×k)"),
    ("chart.measured", "Measured", "实测"),
    ("chart.amdahl", "Amdahl fit to k ≤ cores ({serial}% serial)", "对 k ≤ 核心数的阿姆达尔拟合（串行 {serial}%）"),
    ("chart.cores", "{n} cores", "{n} 个核心"),
    ("result.frozen", "Page frozen for", "页面冻结时长"),
    ("result.chunks-done", "Chunks done before the cap", "达到上限前完成的分块"),
    ("result.timer-note", "Timer resolution {res} ms; cross-origin isolated: {coi}.", "计时器精度 {res} 毫秒；跨源隔离：{coi}。"),
    ("knob.workers.help", "Exactly this many Web Workers do the parallel run. More than your {cores} cores is allowed: they then take turns.", "并行阶段正好由这么多个 Web Worker 执行。可以超过你的 {cores} 个核心，只是超出后它们只能轮流运行。"),
    ("knob.limit", "Count primes below", "统计小于此数的素数"),
    ("knob.chunk", "Chunk size", "分块大小"),
    ("knob.baseline", "Also run sequentially (baseline)", "同时顺序执行一遍（作为基准）"),
    ("knob.repeats", "Repeats", "重复次数"),
    ("knob.warmup", "Warm-up runs", "预热次数"),
    ("editor.title", "Scenario", "场景"),
    ("editor.help", "The knobs and this text are the same scenario: edit either.", "上面的参数和这段文本是同一个场景：改哪一处都可以。"),
    ("editor.valid", "Valid scenario.", "场景有效。"),
    ("scenario.syntax", "this is not valid TOML: {detail}", "这不是有效的 TOML：{detail}"),
    ("scenario.too-long", "the scenario is {size} bytes; at most {max} bytes are accepted", "场景文本有 {size} 字节，最多只接受 {max} 字节"),
    ("scenario.missing-key", "`{key}` is required{where}: {why}", "缺少必需的 `{key}`{where}：{why}"),
    ("scenario.unknown-key", "unknown key `{key}`{where}; allowed: {allowed}", "未知的键 `{key}`{where}；允许的键有：{allowed}"),
    ("scenario.wrong-type", "`{key}` must be {expected}, not {found}", "`{key}` 必须是{expected}，而不是{found}"),
    ("scenario.out-of-range", "`{key}` = {value} is out of range: allowed {min} … {max}{why}", "`{key}` = {value} 超出范围：允许 {min} … {max}{why}"),
    ("scenario.unsupported-version", "`version` = {value} is not supported: this playground reads version 1", "不支持 `version` = {value}：本游乐场只能读取版本 1"),
    ("scenario.unknown-lab", "there is no lab `{value}`; labs: {allowed}", "没有名为 `{value}` 的实验室；现有的实验室：{allowed}"),
    ("scenario.lab-not-available", "the `{value}` lab is not part of this build yet; labs you can run: {allowed}", "`{value}` 实验室还不在这个版本中；可以运行的实验室：{allowed}"),
    ("scenario.unknown-demo", "lab `{lab}` has no demo `{value}`; its demos: {allowed}", "`{lab}` 实验室没有名为 `{value}` 的演示；它的演示有：{allowed}"),
    ("scenario.invalid-value", "`{key}` = {value} is not allowed: {why}", "不允许 `{key}` = {value}：{why}"),
    ("scenario.where", " in [{table}]", "（在 `[{table}]` 表中）"),
    ("scenario.or", "{list} or {last}", "{list} 或 {last}"),
    ("type.nothing", "nothing", "空值"),
    ("type.table", "a table", "表"),
    ("type.plain-value", "a plain value", "单个值"),
    ("type.array", "an array", "数组"),
    ("type.string", "a string", "字符串"),
    ("type.integer", "an integer", "整数"),
    ("type.float", "a float", "浮点数"),
    ("type.number", "a number", "数字"),
    ("type.boolean", "a boolean", "布尔值"),
    ("type.true-or-false", "true or false", "布尔值（`true` 或 `false`）"),
    ("type.date-time", "a date-time", "日期时间"),
    ("scenario.why.lab", "it names the lab ({labs})", "它指定要打开的实验室（{labs}）"),
    ("scenario.why.demo", "it names the demo within the lab", "它指定实验室中的演示"),
    ("scenario.why.cap", " (the worker cap is {cap}; the environment page can raise it to {max})", "（工作者上限为 {cap}；可以在运行环境页面把上限提高到 {max}）"),
    ("scenario.why.choice", "the {key} is {options}", "`{key}` 只能是 {options}"),
    ("scenario.why.float-list", "each value is a number from {min} to {max}, separated by commas (\"{part}\" is not)", "每个值都必须是 {min} 到 {max} 之间的数字，用逗号分隔（\"{part}\" 不是）"),
    ("scenario.why.list-length", "give 1 to {max} values, separated by commas", "请给出 1 到 {max} 个值，用逗号分隔"),
    ("scenario.why.not-an-option", "\"{part}\" is not one of {options} (or \"{all}\")", "\"{part}\" 既不是 {options} 之一，也不是 \"{all}\""),
    ("scenario.why.none-named", "name at least one of {options}", "请至少写出 {options} 中的一个"),
    ("scenario.rule.it-is", "{why} (it is {workers})", "{why}（当前为 {workers}）"),
    ("scenario.rule.run-workers", "{why} ([run] workers = {workers})", "{why}（`[run] workers` = {workers}）"),
    ("scenario.rule.other", "{why} ({other} = {value})", "{why}（`{other}` = {value}）"),
    ("scenario.rule.index", " ({why})", "（{why}）"),
    ("scenario.rule.unknown", "this demo's rules do not allow it", "这个演示的规则不允许这样设置"),
    ("scenario.rule.models.gil.io-range", "waits are drawn from [io_ms, io_max_ms], so io_max_ms must be at least io_ms, or 0 for fixed waits", "等待时间从 `[io_ms, io_max_ms]` 中随机抽取，所以 `io_max_ms` 不能小于 `io_ms`；设为 0 则每次等待时间固定"),
    ("scenario.rule.sync.condition.two-workers", "a producer and a consumer need [run] workers = 2 or more", "一个生产者加一个消费者，需要 `[run] workers` 至少为 2"),
    ("scenario.rule.sync.condition.one-consumer", "at least one of the [run] workers must consume", "`[run] workers` 中至少要有一个消费者"),
    ("scenario.rule.sync.deadlock.two-workers", "the deadlock demo uses exactly 2 workers, one per lock; set [run] workers = 2", "死锁演示正好使用 2 个工作线程，每把锁一个；请设置 `[run] workers` = 2"),
    ("scenario.rule.cpu.panic-worker", "it names one of the {n} workers, counted from 0", "它指定 {n} 个工作者中的一个，从 0 开始编号"),
    ("scenario.rule.cpu.sweep-main-thread", "a sweep never runs on the page's main thread (it would freeze the page once per k); choose one", "扫描从不在页面主线程上运行（那样每个 k 都会让页面冻结一次）；两者只能选一个"),
    ("scenario.rule.cpu.panic-main-thread", "panic_worker needs workers, and the main-thread variant has none", "`panic_worker` 需要工作者，而主线程变体没有工作者"),
    ("scenario.rule.cpu.sweep-threads", "sweeps run on threads; set model = \"threads\"", "扫描在线程上运行；请设置 `model = \"threads\"`"),
    ("scenario.rule.cpu.main-thread-processes", "the main-thread variant uses no workers, so no processes either", "主线程变体不使用工作者，所以也用不到进程"),
    ("scenario.rule.cpu.panic-sweep", "panic_worker belongs to a single run, not a sweep", "`panic_worker` 只用于单次运行，不能用于扫描"),
    ("scenario.rule.async.futures.cancel", "only that many jobs are submitted", "要取消的作业数不能超过提交的作业数"),
    ("scenario.rule.async.task-group.failing", "only that many tasks run, so at most that many can fail", "失败的任务数不能超过运行的任务数"),
    ("scenario.toml.unexpected", "unexpected input", "无法识别的输入"),
    ("scenario.toml.generic", "syntax error near line {line}, column {col}", "第 {line} 行第 {col} 列附近有语法错误"),
    ("scenario.toml.too-deep", "tables and arrays nested more than {n} deep", "表和数组嵌套超过了 {n} 层"),
    ("scenario.toml.invalid", "invalid {what}", "无效的{what}"),
    ("scenario.toml.expected", "expected {items}", "此处应为{items}"),
    ("scenario.toml.duplicate-key-root", "duplicate key `{key}` in document root", "顶层的键 `{key}` 重复定义"),
    ("scenario.toml.duplicate-key-table", "duplicate key `{key}` in table `{table}`", "表 `{table}` 中的键 `{key}` 重复定义"),
    ("scenario.toml.duplicate-key", "duplicate key `{key}`", "键 `{key}` 重复定义"),
    ("scenario.toml.dotted-key", "dotted key `{key}` attempted to extend non-table type ({type})", "点分键 `{key}` 试图在一个不是表的值（`{type}`）下添加键"),
    ("scenario.toml.out-of-range", "value is out of range", "值超出范围"),
    ("scenario.toml.recursion", "recursion limit exceeded", "嵌套层数超过上限"),
    ("scenario.toml.token.newline", "newline", "换行"),
    ("scenario.toml.token.digit", "digit", "数字"),
    ("scenario.toml.token.leading-digit", "leading digit", "开头的数字"),
    ("scenario.toml.what.array", "array", "数组"),
    ("scenario.toml.what.basic-string", "basic string", "基本字符串"),
    ("scenario.toml.what.binary-integer", "binary integer", "二进制整数"),
    ("scenario.toml.what.date-time", "date-time", "日期时间"),
    ("scenario.toml.what.escape-sequence", "escape sequence", "转义序列"),
    ("scenario.toml.what.floating-point-number", "floating-point number", "浮点数"),
    ("scenario.toml.what.hexadecimal-integer", "hexadecimal integer", "十六进制整数"),
    ("scenario.toml.what.inline-table", "inline table", "内联表"),
    ("scenario.toml.what.integer", "integer", "整数"),
    ("scenario.toml.what.key", "key", "键"),
    ("scenario.toml.what.literal-string", "literal string", "字面量字符串"),
    ("scenario.toml.what.multiline-basic-string", "multiline basic string", "多行基本字符串"),
    ("scenario.toml.what.multiline-literal-string", "multiline literal string", "多行字面量字符串"),
    ("scenario.toml.what.octal-integer", "octal integer", "八进制整数"),
    ("scenario.toml.what.string", "string", "字符串"),
    ("scenario.toml.what.table-header", "table header", "表头"),
    ("scenario.toml.what.time-offset", "time offset", "时区偏移"),
    ("scenario.toml.what.time", "time", "时间"),
    ("scenario.toml.what.unicode-4-digit-hex-code", "unicode 4-digit hex code", "四位十六进制转义码（`\\uXXXX`）"),
    ("scenario.toml.what.unicode-8-digit-hex-code", "unicode 8-digit hex code", "八位十六进制转义码（`\\UXXXXXXXX`）"),
    ("preset.label", "Preset", "预设"),
    ("run.start", "Run", "运行"),
    ("run.cancel", "Cancel", "取消"),
    ("run.running", "Running… {pct}%", "运行中… {pct}%"),
    ("reason.not-isolated", "this page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), so the browser forbids the shared memory threads need. Open the playground in its own tab from a server that sends those headers (./dev.sh serve does).", "此页面没有跨源隔离（需要响应头 `Cross-Origin-Opener-Policy`: `same-origin` 和 `Cross-Origin-Embedder-Policy`: `require-corp`），所以浏览器禁止使用线程所需的共享内存。请在单独的标签页中打开游乐场，并由会发送这些响应头的服务器提供页面（./`dev.sh` `serve` 就会发送）。"),
    ("reason.no-sab", "this browser has no SharedArrayBuffer, so wasm threads cannot run here.", "此浏览器没有 `SharedArrayBuffer`，所以无法在这里运行 wasm 线程。"),
    ("run.cancelled", "The run was cancelled.", "运行已取消。"),
    ("run.failed", "The run failed: {message}", "运行失败：{message}"),
    ("run.no-threads", "This demo needs thread workers on shared memory, which this page cannot use: {reason}", "这个演示需要在共享内存上运行的工作线程，但当前页面无法使用：{reason}"),
    ("cpu.no-threads", "Thread demos need shared memory, which this page cannot use: {reason} What still works here: the processes model (isolated workers) and the main-thread variant.", "线程演示需要共享内存，但当前页面无法使用：{reason} 这里仍然可用的有：进程模型（每个工作进程都有自己的内存）和主线程变体。"),
    ("run.share", "Copy link", "复制链接"),
    ("run.embed-code", "Copy embed code", "复制嵌入代码"),
    ("editor.reset", "Reset to default", "恢复默认"),
    ("embed.open-full", "Open in the full playground ↗", "在完整的游乐场中打开 ↗"),
    ("link.invalid", "the link's scenario is invalid; showing the default", "链接中的场景无效，已显示默认场景"),
    ("link.damaged", "the link is damaged or truncated; showing the default scenario", "链接已损坏或被截断，已显示默认场景"),
    ("run.share.copied", "Link copied.", "链接已复制。"),
    ("result.title", "Measured in this run", "本次运行的测量结果"),
    ("result.count", "Primes found", "找到的素数"),
    ("result.sequential", "Sequential (1 worker)", "顺序执行（1 个工作者）"),
    ("result.parallel", "Parallel ({k} workers)", "并行执行（{k} 个工作者）"),
    ("result.speedup", "Speed-up", "加速比"),
    ("result.range", "The median over the repeats, then the lowest and highest value", "各次重复的中位数，括号里是最低值和最高值"),
    ("result.efficiency", "Efficiency", "效率"),
    ("result.agree", "Same answer", "结果一致"),
    ("result.workers-used", "Workers that did work", "实际参与计算的工作者"),
    ("result.timer", "Timer resolution", "计时器精度"),
    ("result.wall", "Wall time", "总耗时"),
    ("result.per-worker", "Work per worker", "每个工作者的工作量"),
    ("result.timeline", "Timeline: who did what, when", "时间线：谁在何时做了什么"),
    ("result.lesson", "What this run shows", "这次运行说明了什么"),
    ("result.yes", "yes", "是"),
    ("result.no", "no", "否"),
    ("result.chunks", "{n} chunks", "{n} 个分块"),
    ("code.python", "Python", "Python"),
    ("code.rust", "Rust that runs", "实际运行的 Rust"),
    ("env.title", "Your browser and this page", "你的浏览器与此页面"),
    ("env.isolated", "Cross-origin isolated", "跨源隔离"),
    ("env.sab", "SharedArrayBuffer", "SharedArrayBuffer"),
    ("env.cores", "Cores reported", "报告的核心数"),
    ("env.cap", "Worker cap", "工作者上限"),
    ("env.cap.help", "Runs may use 1 … cap workers (default 16, at most 64). Browsers may under-report cores for privacy; the cap does not depend on them.", "每次运行可以使用 1 到上限个工作者（默认 16，最多 64）。浏览器可能出于隐私原因少报核心数；上限与核心数无关。"),
    ("env.cap.set", "Set cap", "设置上限"),
    ("env.timer", "Timer resolution", "计时器精度"),
    ("env.pool", "Thread pool", "线程池"),
    ("env.pool.workers", "{n} host workers started", "已启动 {n} 个宿主工作线程"),
    ("env.processes", "Process workers", "工作进程"),
    ("env.processes.state", "available, with or without isolation (each has its own memory); {n} started", "可用，无论是否跨源隔离（每个工作进程都有自己的内存）；已启动 {n} 个"),
    ("env.why", "Why isolation matters", "为什么需要跨源隔离"),
    ("env.why.body", "Threads share one memory (a SharedArrayBuffer). Browsers allow that only on pages served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp. Without them, async demos still run, but thread demos cannot.", "线程共享同一块内存（`SharedArrayBuffer`）。浏览器只在带有 `Cross-Origin-Opener-Policy`: `same-origin` 和 `Cross-Origin-Embedder-Policy`: `require-corp` 响应头的页面上允许这样做。没有这些响应头时，异步演示仍可运行，线程演示则不能。"),
    ("env.notes", "Pool events", "线程池事件"),
    ("env.version", "Version", "版本"),
    ("common.yes", "yes", "是"),
    ("common.no", "no", "否"),
    ("common.ms", "{v} ms", "{v} 毫秒"),
    ("lesson.cpu.no-baseline", "The parallel run took {par} ms on {workers} workers. Turn the sequential baseline on to measure the speed-up.", "并行运行在 {workers} 个工作者上耗时 {par} 毫秒。打开顺序执行基准，就能测出加速比。"),
    ("lesson.cpu.mismatch", "The parallel answer differs from the sequential one: that is a bug, please report it.", "并行结果与顺序结果不一致：这是一个缺陷，请报告。"),
    ("lesson.cpu.one-worker", "With one worker nothing overlaps: {par} ms against {seq} ms sequential (×{speedup}). The difference is overhead and noise.", "只有一个工作者时没有任何重叠：{par} 毫秒，顺序执行为 {seq} 毫秒（×{speedup}）。差异只是开销和噪声。"),
    ("lesson.cpu.oversubscribed", "{workers} workers on {cores} cores: ×{speedup} ({eff}% efficiency). Past the core count, extra workers only take turns — no faster than about ×{ideal}.", "{cores} 个核心上运行 {workers} 个工作者：×{speedup}（效率 {eff}%）。超过核心数后，多出来的工作者只能轮流运行——最多约 ×{ideal}。"),
    ("lesson.cpu.near-ideal", "×{speedup} on {workers} workers ({eff}% efficiency): close to the ideal. Counting primes splits into independent chunks, so real parallel workers scale it.", "{workers} 个工作者达到 ×{speedup}（效率 {eff}%）：接近理想值。统计素数可以拆成互不依赖的分块，所以真正并行的工作者能让它成倍加快。"),
    ("lesson.cpu.partial", "×{speedup} on {workers} workers ({eff}% efficiency): faster, but short of the ideal ×{ideal}. Start-up, uneven chunks or a busy machine took the rest.", "{workers} 个工作者达到 ×{speedup}（效率 {eff}%）：更快了，但不到理想的 ×{ideal}。其余的时间耗在了启动、分块不均或机器繁忙上。"),
    ("lesson.cpu.unclear", "×{speedup} on {workers} workers (median, then the range over the repeats): the repeats spread across the bands, so this run cannot tell whether the workers helped. Add repeats or a larger `limit` and run again.", "{workers} 个工作者 ×{speedup}（先是中位数，括号里是各次重复的范围）：各次重复跨越了不同区间，所以这次运行无法判断工作者是否带来了加速。请增加重复次数或更大的 `limit` 后再运行。"),
    ("lesson.cpu.no-gain", "×{speedup}: no real speed-up from {workers} workers. The workers did not run side by side here — were the cores busy with something else?", "×{speedup}：{workers} 个工作者没有带来真正的加速。这里的工作者并没有同时运行——核心是不是被别的任务占用了？"),
    ("lesson.cpu.sweep", "Best ×{best} at k = {bestk}. Amdahl's law fits a serial fraction of {serial}%: no number of workers could beat about ×{cap}.", "k = {bestk} 时最好，为 ×{best}。按阿姆达尔定律拟合，串行部分占 {serial}%：无论用多少个工作者，加速比都不会超过约 ×{cap}。"),
    ("lesson.cpu.sweep-past-cores", "Best ×{best} at k = {bestk}. Past {cores} cores the curve flattens: workers {cores}…{maxk} only take turns. Amdahl's fit: {serial}% serial, a ceiling near ×{cap}.", "k = {bestk} 时最好，为 ×{best}。超过 {cores} 个核心后曲线变平：第 {cores}…{maxk} 个工作者只能轮流运行。阿姆达尔拟合：串行部分占 {serial}%，上限约 ×{cap}。"),
    ("lesson.cpu.sweep-flat", "No worker count beat one worker by 10% (best ×{best} at k = {bestk}): on this machine, now, the workers did not run side by side.", "没有哪个工作者数量能比单个工作者快 10%（k = {bestk} 时最好，为 ×{best}）：此刻在这台机器上，工作者没有真正并行运行。"),
    ("lesson.cpu.sweep-one", "Only one worker count was measured (×{best}); sweep to at least 2 workers to see a curve.", "只测量了一种工作者数量（×{best}）；至少扫描到 2 个工作者才能看到曲线。"),
    ("lesson.cpu.main-thread", "The page was frozen for {ms} ms: while the kernel ran on the main thread, no timer fired and no click was handled. The workers keep the page alive.", "页面冻结了 {ms} 毫秒：计算内核在主线程上运行时，没有计时器触发，也没有处理任何点击。工作者能让页面保持响应。"),
    ("lesson.cpu.main-thread-capped", "The page was frozen for {ms} ms and stopped at the 500 ms cap after {done} of {chunks} chunks: the clock above stood still. On the main thread even Cancel cannot be clicked — that is why the real runs use workers.", "页面冻结了 {ms} 毫秒，在完成 {chunks} 个分块中的 {done} 个后于 500 毫秒上限处停止：上面的时钟一动不动。在主线程上连“取消”都点不了——这正是真正的运行要用工作者的原因。"),
    ("lesson.sync.semaphore", "{clients} clients, {connections} connections: never more than {max} inside at once. The requests came through in {waves} waves, {wall} ms in all (the ideal is {ideal} ms); clients spent {wait} ms waiting for a permit.", "{clients} 个客户端，{connections} 个连接：任何时刻最多只有 {max} 个在占用连接。请求分 {waves} 波完成，共 {wall} 毫秒（理想值 {ideal} 毫秒）；客户端等待许可共花了 {wait} 毫秒。"),
    ("lesson.sync.semaphore-roomy", "{connections} connections for {clients} clients: nobody had to wait (at most {max} inside). Add clients to see the semaphore hold them back.", "{clients} 个客户端共有 {connections} 个连接：谁都不用等（最多 {max} 个同时占用）。增加客户端，就能看到信号量把多出来的挡在外面。"),
    ("async.title", "Async: futures on the page's event loop", "异步：页面事件循环上的 `Future` 对象"),
    ("async.no-threads", "Threads are unavailable here ({reason}). Everything in this lab runs on the page's event loop anyway; the two demos that offload CPU work use process workers instead of thread workers.", "这里无法使用线程（{reason}）。这个实验室的一切本来就运行在页面的事件循环上；需要把 CPU 计算交出去的两个演示会改用工作进程，而不是工作线程。"),
    ("async.max-workers", "Pool workers (max_workers)", "池中工作者数量（`max_workers`）"),
    ("async.series", "Measured over the run", "本次运行的测量值"),
    ("async.time-ms", "time (ms)", "时间（毫秒）"),
    ("async.value", "value", "数值"),
    ("async.log", "Log ({n} lines)", "日志（{n} 行）"),
    ("async.live-log", "Live log — {n} lines so far", "实时日志——目前 {n} 行"),
    ("models.title", "Models: the same work four ways", "并发模型：同样的工作，四种做法"),
    ("models.gil.what", "The same tasks run sequentially, on threads that contend for a simulated GIL (CPython's real protocol: a drop request after the switch interval, forced switching, I/O releases it), on threads without a GIL, on threads whose kernel releases the GIL, on isolated process workers, and as futures on the page's event loop. Every row was measured in this run.", "同样的任务以几种方式运行：顺序执行；在争夺模拟 GIL（全局解释器锁）的线程上（按 CPython 的真实机制：满一个切换间隔后请求释放、强制切换、I/O 时释放 GIL）；在没有 GIL 的线程上；在计算内核会释放 GIL 的线程上；在相互隔离的工作进程上；以及作为页面事件循环上的 `Future` 对象。每一行都是本次运行实测的。"),
    ("models.convoy.what", "One thread computes, one does quick I/O calls; both need the GIL. After each I/O call the I/O thread must wait for the CPU thread to be asked to let go — about one switch interval. The longer the interval, the fewer I/O calls per second: the convoy effect.", "一个线程在计算，另一个线程做很快的 I/O 调用；两者都需要 GIL。每次 I/O 调用后，I/O 线程都要等到计算线程被要求让出 GIL——大约一个切换间隔。间隔越长，每秒的 I/O 调用越少：这就是护航效应。"),
    ("models.spawn.what", "Process workers start by loading and instantiating the whole module. A fresh worker per task pays that for every task (spawn spans); a pool pays it once and reuses its workers.", "工作进程启动时要加载并实例化整个模块。每个任务用一个新的工作进程，每个任务都要付出这笔代价（时间线上的 `spawn` 时间段）；进程池只付一次，之后复用它的工作进程。"),
    ("models.isolation.what", "The page keeps a counter. Thread workers share the page's memory: their increments show up on the page. Process workers each have a memory of their own: they change their copy, and the page's counter does not move.", "页面保存着一个计数器。工作线程共享页面的内存：它们的自增会出现在页面上。工作进程各有自己的内存：它们改的是自己的副本，页面上的计数器纹丝不动。"),
    ("models.model", "Model", "模型"),
    ("models.speedup", "Speed-up", "加速比"),
    ("models.efficiency", "Efficiency", "效率"),
    ("models.busy", "Busy", "忙碌"),
    ("models.gil-wait", "GIL wait", "等待 GIL"),
    ("models.idle", "Idle", "空闲"),
    ("models.switches", "GIL hand-offs", "GIL 交接次数"),
    ("models.agrees", "Same answer", "结果一致"),
    ("models.note", "Note", "说明"),
    ("models.interval", "switch interval (ms)", "切换间隔（毫秒）"),
    ("models.io-rate", "I/O calls per second", "每秒 I/O 调用数"),
    ("models.io-wait", "GIL wait per I/O call (ms)", "每次 I/O 调用等待 GIL（毫秒）"),
    ("models.fresh", "Fresh worker per task", "每个任务一个新工作进程"),
    ("models.pooled", "Pool, reused", "进程池复用"),
    ("models.spawn-total", "Spent starting workers", "启动工作进程的耗时"),
    ("models.page-counter", "The page's counter", "页面上的计数器"),
    ("models.threads-saw", "After thread workers added", "工作线程自增之后"),
    ("models.processes-saw", "After process workers added (their own copies said)", "工作进程自增之后（它们各自的副本显示的值）"),
    ("models.no-threads", "Threads are unavailable here ({reason}). The thread-based models are skipped and say so; processes and asyncio still run.", "这里无法使用线程（{reason}）。基于线程的模型会被跳过并注明原因；进程和 `asyncio` 仍然可以运行。"),
    ("knob.models.workload", "Workload", "工作负载"),
    ("knob.models.tasks", "Tasks", "任务数"),
    ("knob.models.cpu-limit", "Numbers per CPU task", "每个 CPU 任务的数字个数"),
    ("knob.models.io-ms", "I/O wait (ms, from)", "I/O 等待（毫秒，下限）"),
    ("knob.models.io-max-ms", "I/O wait (ms, to)", "I/O 等待（毫秒，上限）"),
    ("knob.models.switch", "Switch interval (ms)", "切换间隔（毫秒）"),
    ("knob.models.models", "Models", "模型"),
    ("knob.models.intervals", "Switch intervals (ms)", "切换间隔（毫秒）"),
    ("knob.models.duration", "Per interval (ms)", "每个间隔持续（毫秒）"),
    ("knob.models.increments", "Increments per worker", "每个工作者的自增次数"),
    ("lesson.models.cpu-gil", "CPU-bound work: with the GIL, threads ran at ×{threads} — no faster than one worker, because only one can compute at a time. Without the GIL ×{nogil}, with a kernel that releases it ×{release}, as processes ×{processes}; asyncio ×{async} (one thread).", "CPU 密集型工作：有 GIL 时，线程只有 ×{threads}——不比一个工作者快，因为同一时刻只有一个线程能计算。没有 GIL 时 ×{nogil}，计算内核释放 GIL 时 ×{release}，多进程 ×{processes}；`asyncio` ×{async}（单线程）。"),
    ("lesson.models.cpu", "CPU-bound work, speed-ups over sequential: threads ×{threads}, without the GIL ×{nogil}, releasing it ×{release}, processes ×{processes}, asyncio ×{async}. Add tasks or workers to see the GIL hold threads back.", "CPU 密集型工作，相对顺序执行的加速比：线程 ×{threads}，无 GIL ×{nogil}，释放 GIL ×{release}，多进程 ×{processes}，`asyncio` ×{async}。增加任务或工作者，就能看到 GIL 如何拖住线程。"),
    ("lesson.models.io", "I/O-bound work: waiting overlaps. Threads ran at ×{threads} even with the GIL (a wait releases it), asyncio at ×{async} on one thread, processes at ×{processes}.", "I/O 密集型工作：等待可以重叠。即使有 GIL，线程也达到 ×{threads}（等待时会释放 GIL），`asyncio` 在单线程上达到 ×{async}，多进程 ×{processes}。"),
    ("lesson.models.io-flat", "I/O-bound work, but little overlap this time: threads ×{threads}, asyncio ×{async}, processes ×{processes}. With one worker or one task there is nothing to overlap.", "I/O 密集型工作，但这次几乎没有重叠：线程 ×{threads}，`asyncio` ×{async}，多进程 ×{processes}。只有一个工作者或一个任务时，没有可以重叠的东西。"),
    ("lesson.models.mixed", "Mixed work: the waits overlap under every model, the computing only where it can run in parallel — threads ×{threads} (GIL), ×{nogil} without it, processes ×{processes}, asyncio ×{async}.", "混合工作：在每种模型下等待都能重叠，而计算只有在能并行时才重叠——线程 ×{threads}（有 GIL），无 GIL ×{nogil}，多进程 ×{processes}，`asyncio` ×{async}。"),
    ("lesson.models.unclear", "This run cannot tell: the speed-ups over sequential spread across the bands between its repeats — threads ×{threads}, without the GIL ×{nogil}, releasing it ×{release}, processes ×{processes}, asyncio ×{async} (median, then the range). Add repeats or work (more tasks, a larger `cpu_limit`) and run again.", "这次运行还不能下结论：各次重复之间，相对顺序执行的加速比跨越了不同区间——线程 ×{threads}，无 GIL ×{nogil}，释放 GIL ×{release}，多进程 ×{processes}，`asyncio` ×{async}（先是中位数，括号里是范围）。请增加重复次数或工作量（更多任务、更大的 `cpu_limit`）后再运行。"),
    ("lesson.models.cpu-gil-faster", "Threads with the GIL (×{threads}) or asyncio (×{async}) came out faster than sequential, which CPU-bound work cannot do: only one of them computes at a time. The sequential baseline must have run slower than usual — code still warming up, or the machine busy with something else. Run again or add repeats. Without the GIL ×{nogil}, processes ×{processes}.", "有 GIL 的线程（×{threads}）或 `asyncio`（×{async}）竟然比顺序执行快，而 CPU 密集型工作本不可能这样：同一时刻只有一个在计算。说明顺序执行的基准这次跑得比平时慢——代码还在预热，或者机器正忙于别的事。请再运行一次或增加重复次数。无 GIL ×{nogil}，多进程 ×{processes}。"),
    ("lesson.models.not-faster", "A model that can run in parallel came out no faster than sequential this time: threads ×{threads}, without the GIL ×{nogil}, releasing it ×{release}, processes ×{processes}, asyncio ×{async}. Were the cores busy with something else, or the tasks too short for the start-up? Add work or repeats and run again.", "这次本可以并行的模型并不比顺序执行快：线程 ×{threads}，无 GIL ×{nogil}，释放 GIL ×{release}，多进程 ×{processes}，`asyncio` ×{async}。是核心被别的任务占用了，还是任务太短、抵不过启动开销？请增加工作量或重复次数后再运行。"),
    ("lesson.models.compare-mixed", "Not every row came out clearly this time (see each row's words): CPU-bound threads ×{cpu_threads} with the GIL, ×{cpu_nogil} without it, processes ×{cpu_processes}, asyncio ×{cpu_async}; I/O-bound threads ×{io_threads}, processes ×{io_processes}, asyncio ×{io_async}. Add repeats or work and run again.", "这次并非每一行都有明确结论（见每行的说明）：CPU 密集型有 GIL 的线程 ×{cpu_threads}，无 GIL ×{cpu_nogil}，多进程 ×{cpu_processes}，`asyncio` ×{cpu_async}；I/O 密集型线程 ×{io_threads}，多进程 ×{io_processes}，`asyncio` ×{io_async}。请增加重复次数或工作量后再运行。"),
    ("lesson.models.sweep-unclear", "{model} on {workload}-bound work: the best median speed-up was ×{best} at k = {k}, but its repeats spread across the bands, so this run cannot tell how much the workers helped ({cores} cores; rule of thumb {rule}). Add repeats or work and run again.", "{model} 处理 {workload} 密集型工作：最佳加速比中位数为 ×{best}，出现在 k = {k}，但各次重复跨越了不同区间，所以这次运行无法说明工作者到底帮了多少（{cores} 个核心；经验法则 {rule}）。请增加重复次数或工作量后再运行。"),
    ("models.row.unclear", "×{speedup}: the repeats spread across the bands — this run cannot tell.", "×{speedup}：各次重复跨越了不同区间——这次运行无法下结论。"),
    ("models.row.unexpected-faster", "×{speedup}: faster than this model can be on this work — the sequential baseline must have run slow (warming up, a busy machine). Run again.", "×{speedup}：比这种模型在这类工作上可能达到的还快——说明顺序执行的基准跑慢了（还在预热，或机器繁忙）。请再运行一次。"),
    ("models.row.unexpected-not-faster", "×{speedup}: no faster this time, though this model can overlap this work — busy cores, or tasks too short for the start-up?", "×{speedup}：这次并没有更快，尽管这种模型能让这类工作重叠——是核心繁忙，还是任务太短、抵不过启动开销？"),
    ("lesson.models.no-baseline", "The sequential run is missing (threads are unavailable here), so no speed-ups can be stated; the table still shows each model's wall time.", "缺少顺序执行的结果（这里无法使用线程），所以无法给出加速比；表格仍列出每种模型的耗时。"),
    ("lesson.models.mismatch", "The models disagree on the answer: a defect — please report it with this scenario.", "各模型的结果不一致：这是一个缺陷——请附上此场景报告。"),
    ("lesson.models.convoy", "With a {first} ms switch interval the I/O thread made {fast} calls per second; with {last} ms only {slow}. Each call waits about one interval for the CPU thread to let go of the GIL.", "切换间隔为 {first} 毫秒时，I/O 线程每秒调用 {fast} 次；间隔为 {last} 毫秒时只有 {slow} 次。每次调用都要等大约一个间隔，才能等到计算线程让出 GIL。"),
    ("lesson.models.spawn", "A fresh process per task spent {fresh} ms starting {tasks} workers ({per} ms each) and took {fresh_wall} ms in all; the reused pool took {pool_wall} ms. Start-up is paid per worker, so pools amortise it.", "每个任务新开一个进程：启动 {tasks} 个工作进程花了 {fresh} 毫秒（每个 {per} 毫秒），总共 {fresh_wall} 毫秒；复用的进程池只用了 {pool_wall} 毫秒。启动代价按工作进程计算，所以进程池能把它摊薄。"),
    ("lesson.models.isolation", "Thread workers moved the page's counter from {before} to {threads}; process workers counted to {proc} in their own memories and the page's counter stayed at {after}.", "工作线程把页面计数器从 {before} 改到了 {threads}；工作进程在各自的内存里数到了 {proc}，而页面计数器仍是 {after}。"),
    ("lesson.models.isolation-no-threads", "Threads are unavailable here, so only processes ran: they counted to {proc} in their own memories and the page's counter stayed at {after}.", "这里无法使用线程，所以只运行了进程：它们在各自的内存里数到了 {proc}，而页面计数器仍是 {after}。"),
    ("models.compare.what", "One click, the tutorials' table: CPU-bound work and I/O-bound work, each run sequentially, on threads with the GIL, on threads without it, on processes and as asyncio futures — every number measured in this run. The asyncio row's CPU work runs on the page's loop, capped at 500 ms, and is labelled so.", "一键得到教程里的那张表：CPU 密集型和 I/O 密集型工作，分别以顺序执行、有 GIL 的线程、无 GIL 的线程、多进程，以及 `asyncio` 的 `Future` 对象运行——每个数字都是本次实测的。`asyncio` 这一行的 CPU 计算在页面事件循环上运行，最多 500 毫秒，并如实标注。"),
    ("models.sweep.what", "One model at k = 1, 2, … workers: the measured speed-up against the ideal line, Amdahl's law fitted to k ≤ cores, the core count marked, the tutorials' rule of thumb for the pool size, and a recommendation that walks a decision tree with this run's numbers.", "一种模型分别用 k = 1、2、… 个工作者运行：实测加速比与理想直线对比，对 k ≤ 核心数拟合阿姆达尔定律，标出核心数和教程中池大小的经验法则，并用本次的数字沿决策树给出建议。"),
    ("models.workload", "Workload", "工作负载"),
    ("models.row-lesson", "What this row shows", "这一行说明了什么"),
    ("models.row.skipped", "Did not run here (see the note).", "在这里没有运行（见说明）。"),
    ("models.row.cpu-sequential", "The baseline: one worker, one task after another.", "基准：一个工作者，逐个执行任务。"),
    ("models.row.cpu-threads", "×{speedup}: with the GIL only one thread computes at a time.", "×{speedup}：有 GIL 时同一时刻只有一个线程在计算。"),
    ("models.row.cpu-threads-nogil", "×{speedup}: without the GIL the threads compute in parallel.", "×{speedup}：没有 GIL，线程并行计算。"),
    ("models.row.cpu-threads-release", "×{speedup}: the kernel releases the GIL, so threads compute in parallel.", "×{speedup}：计算内核释放了 GIL，所以线程可以并行计算。"),
    ("models.row.cpu-processes", "×{speedup}: each process has its own interpreter; arguments and results travel as text.", "×{speedup}：每个进程有自己的解释器；参数和结果以文本传递。"),
    ("models.row.cpu-async", "×{speedup}: one thread — CPU work blocks the loop (capped at 500 ms per run).", "×{speedup}：只有一个线程——CPU 计算会阻塞事件循环（每次运行最多 500 毫秒）。"),
    ("models.row.io-sequential", "The baseline: every wait one after another.", "基准：所有等待一个接一个。"),
    ("models.row.io-threads", "×{speedup}: a waiting thread releases the GIL, so the waits overlap.", "×{speedup}：等待中的线程会释放 GIL，所以等待可以重叠。"),
    ("models.row.io-threads-nogil", "×{speedup}: for waiting, no GIL changes little.", "×{speedup}：对等待来说，有没有 GIL 差别不大。"),
    ("models.row.io-threads-release", "×{speedup}: for waiting, releasing the GIL changes little.", "×{speedup}：对等待来说，释放 GIL 差别不大。"),
    ("models.row.io-processes", "×{speedup}: the waits overlap too, at the price of a process each.", "×{speedup}：等待同样可以重叠，代价是每个都要一个进程。"),
    ("models.row.io-async", "×{speedup}: one thread, and every wait overlaps.", "×{speedup}：只用一个线程，所有等待都重叠。"),
    ("models.k", "workers (k)", "工作者数量 (k)"),
    ("models.rule", "rule of thumb: {n}", "经验法则：{n}"),
    ("models.recommend", "Recommendation", "建议"),
    ("models.recommend-text", "{model} with a pool of {pool} (rule of thumb {rule}; measured best k = {best}).", "{model}，池大小 {pool}（经验法则 {rule}；实测最佳 k = {best}）。"),
    ("models.tree", "The decision tree, as this run answered it", "本次运行走过的决策树"),
    ("choose.q.cpu-bound", "Is the work CPU-bound (≥ 70% computing)?", "工作是 CPU 密集型的吗（计算占 ≥ 70%）？"),
    ("choose.q.io-bound", "Is it I/O-bound (≤ 30% computing)?", "是 I/O 密集型的吗（计算占 ≤ 30%）？"),
    ("choose.q.releases-gil", "Does the kernel release the GIL (numpy, hashlib, zlib)?", "计算内核会释放 GIL 吗（`numpy`、`hashlib`、`zlib`）？"),
    ("choose.q.free-threaded", "Is a free-threaded Python (3.13t+) available?", "有自由线程版 Python（3.13t+）可用吗？"),
    ("choose.q.many-tasks", "More than 100 concurrent tasks?", "并发任务超过 100 个吗？"),
    ("choose.q.measured", "Did the sweep measure a best pool size?", "扫描测到了最佳池大小吗？"),
    ("choose.why.cpu-processes", "CPU-bound Python code holds the GIL: only processes compute in parallel.", "CPU 密集型的 Python 代码持有 GIL：只有多进程才能并行计算。"),
    ("choose.why.cpu-release", "The kernel releases the GIL, so threads compute in parallel without the cost of processes.", "计算内核会释放 GIL，所以线程可以并行计算，又没有多进程的开销。"),
    ("choose.why.cpu-nogil", "Without a GIL, threads compute in parallel and share memory for free.", "没有 GIL 时，线程可以并行计算，共享内存也不需要额外开销。"),
    ("choose.why.io-threads", "I/O-bound with few tasks: threads overlap their waits (a wait releases the GIL).", "I/O 密集且任务不多：线程可以重叠等待（等待时会释放 GIL）。"),
    ("choose.why.io-async", "I/O-bound with many tasks: futures on one loop are far cheaper than a thread each.", "I/O 密集且任务很多：一个事件循环上的 `Future` 对象比每个任务一个线程便宜得多。"),
    ("choose.why.mixed", "Mixed work: processes for the computing, with threads or asyncio inside them for the waiting.", "混合工作：用多进程做计算，在进程内部用线程或 `asyncio` 处理等待。"),
    ("lesson.models.compare", "CPU-bound: threads ×{cpu_threads} with the GIL, ×{cpu_nogil} without it, processes ×{cpu_processes}, asyncio ×{cpu_async}. I/O-bound: threads ×{io_threads}, processes ×{io_processes}, asyncio ×{io_async}. The GIL only costs you when you compute.", "CPU 密集型：有 GIL 的线程 ×{cpu_threads}，无 GIL ×{cpu_nogil}，多进程 ×{cpu_processes}，`asyncio` ×{cpu_async}。I/O 密集型：线程 ×{io_threads}，多进程 ×{io_processes}，`asyncio` ×{io_async}。GIL 只在计算时才让你付出代价。"),
    ("lesson.models.sweep", "{model} on {workload}-bound work: the best speed-up was ×{best} at k = {k} ({cores} cores; rule of thumb {rule}); Amdahl's fit puts the serial part at {serial}%. The work was {share}% computing, so the recommendation is {rec} with a pool of {pool}.", "{model} 处理 {workload} 密集型工作：最佳加速比 ×{best}，出现在 k = {k}（{cores} 个核心；经验法则 {rule}）；阿姆达尔拟合得出串行部分占 {serial}%。这项工作 {share}% 的时间在计算，所以建议使用 {rec}，池大小 {pool}。"),
    ("sync.condition.what", "A bounded buffer shared through a Condition: producers wait while it is full, consumers while it is empty, each in a while loop; notify wakes one waiter, notify_all wakes them all (most find nothing and wait again). The chart is the buffer's fill level over time.", "通过 `Condition`（条件变量）共享的有界缓冲区：缓冲区满时生产者等待，空时消费者等待，都在 `while` 循环里等；`notify` 唤醒一个等待者，`notify_all` 唤醒全部（大多数醒来发现无事可做，又接着等待）。图表显示缓冲区的填充量随时间的变化。"),
    ("sync.queues.what", "queue.Queue hands items from producers to consumers: FIFO takes the oldest, LIFO the newest, PriorityQueue the lowest priority first (ties in insertion order). With maxsize the producer blocks when the queue is full; join() waits until every item got its task_done(); one sentinel per worker shuts the pool down.", "`queue.Queue`（队列）把条目从生产者交给消费者：FIFO 先取最早放入的，LIFO 先取最新放入的，`PriorityQueue` 先取优先级数值最小的（优先级相同则按放入顺序）。设置 `maxsize` 后，队列满时生产者会阻塞；`join()` 一直等到每个条目都调用过 `task_done()`；给每个工作线程发一个哨兵值，线程池就会退出。"),
    ("sync.rlock.what", "A recursive walk takes the same lock at every level. An RLock counts its owner's acquisitions and lets it in again; a plain Lock would block its own holder forever — here the owner check catches it and says so. Below, one worker holds a lock while another tries acquire(blocking=False) and acquire(timeout=…).", "递归遍历在每一层都获取同一把锁。`RLock`（可重入锁）记录持有者获取的次数，允许它再次进入；普通的 `Lock`（互斥锁）会让持有者永远阻塞自己——这里由持有者检查发现并报告出来。下面，一个工作线程持有锁，另一个尝试 `acquire(blocking=False)` 和 `acquire(timeout=…)`。"),
    ("sync.event.what", "An Event is a flag workers can wait for. Everyone waits for \"service ready\" (one with a timeout shorter than the start-up, which returns False); once it is set they work until the \"stop\" Event is set.", "`Event`（事件）是工作线程可以等待的标志。所有工作线程都等待“服务就绪”（其中一个的超时比启动时间短，于是返回 `False`）；事件被设置后，它们一直工作，直到“停止”这个 `Event` 被设置。"),
    ("sync.life.what", "A thread's life: join(timeout) returns while the job still runs (is_alive() is True), then join() waits for it. Two Timers are armed together and one is cancelled before its deadline: only the other fires; a periodic Timer ticks. An Event set in time lets wait(timeout) return True; after clear() the same wait returns False. q.get(timeout) on an empty queue raises queue.Empty. At exit the program waits for its non-daemon thread and cuts the daemon threads off; threading.local() gives each worker its own counter.", "线程的一生：`join(timeout)` 在任务仍在运行时就返回（`is_alive()` 为 `True`），之后 `join()` 一直等到它结束。两个 `Timer` 同时启动，其中一个在到期前被取消：只有另一个触发；周期性 `Timer` 按时滴答。事件及时被设置，`wait(timeout)` 返回 `True`；`clear()` 之后同样的等待返回 `False`。对空队列调用 `q.get(timeout)` 会抛出 `queue.Empty`。退出时程序等待非守护线程结束，并切断守护线程；`threading.local()`（线程局部存储）给每个工作线程各自的计数器。"),
    ("sync.buffer-fill", "Items in the buffer", "缓冲区中的条目"),
    ("sync.consumed", "Consumed", "已消费"),
    ("sync.peak-fill", "Peak fill / capacity", "峰值 / 容量"),
    ("sync.cond-waits", "Condition waits", "条件等待次数"),
    ("sync.futile", "Wake-ups that found nothing", "醒来却无事可做的次数"),
    ("sync.handled", "Items handled", "已处理条目"),
    ("sync.producer-blocked", "Times the producer blocked (queue full)", "生产者阻塞次数（队列满）"),
    ("sync.stopped", "Workers stopped by a sentinel", "收到哨兵后停止的工作线程"),
    ("sync.rlock-levels", "RLock: levels entered", "`RLock`：进入的层数"),
    ("sync.lock-self-deadlock", "Lock: self-deadlock", "`Lock`：自我死锁"),
    ("sync.nonblocking", "acquire(blocking=False) while held", "被占用时调用 `acquire(blocking=False)`"),
    ("sync.timed", "acquire(timeout) while held", "被占用时调用 `acquire(timeout)`"),
    ("sync.gate-held", "Nobody passed before ready was set", "`ready` 被设置前没有人通过"),
    ("sync.wait-timeout", "ready.wait(timeout) returned", "`ready.wait(timeout)` 的返回值"),
    ("sync.rounds", "Work rounds before stop", "停止前的工作轮数"),
    ("sync.alive-after-timeout", "is_alive() after join(timeout)", "`join(timeout)` 之后的 `is_alive()`"),
    ("sync.timer", "One-shot Timer calls", "一次性 `Timer` 的调用次数"),
    ("sync.timer-cancelled", "Cancelled Timer", "已取消的 `Timer`"),
    ("sync.periodic", "Periodic Timer ticks", "周期性 `Timer` 的滴答次数"),
    ("sync.daemon", "Daemon rounds before the cut", "守护线程被切断前的轮数"),
    ("sync.live", "Live: what each worker is doing", "实时：每个工作者在做什么"),
    ("sync.state.idle", "idle", "空闲"),
    ("sync.state.running", "running", "运行中"),
    ("sync.state.holding", "holding", "持有中"),
    ("sync.state.waiting", "waiting", "等待中"),
    ("sync.state.done", "done", "完成"),
    ("sync.graph", "Wait-for graph", "等待图"),
    ("sync.worker-n", "worker {n}", "工作线程 {n}"),
    ("sync.lock-n", "lock {name}", "锁 {name}"),
    ("sync.holds", "holds", "持有"),
    ("sync.wants", "wants", "等待"),
    ("log.pool.started", "started workers for this run in {ms} ms (not counted in the timings)", "本次运行启动工作者用了 {ms} 毫秒（不计入计时）"),
    ("log.trace.spans-dropped", "{dropped} spans were not kept (the timeline keeps the first {cap})", "有 {dropped} 个时间段没有保留（时间线只保留前 {cap} 个）"),
    ("span.cpu", "CPU work", "CPU 计算"),
    ("span.io", "I/O", "I/O 操作"),
    ("span.sleep", "sleep", "休眠"),
    ("span.gil-wait", "waiting for the GIL", "等待 GIL"),
    ("span.lock-wait", "waiting for a lock", "等待锁"),
    ("span.sem-wait", "waiting for a semaphore", "等待信号量"),
    ("span.cond-wait", "waiting on a condition", "等待条件变量"),
    ("span.event-wait", "waiting for an event", "等待事件"),
    ("span.barrier-wait", "waiting at a barrier", "在栅栏处等待"),
    ("span.queue-wait", "waiting on a queue", "等待队列"),
    ("span.spawn", "starting", "启动"),
    ("span.serialize", "serialising", "序列化"),
    ("span.deserialize", "deserialising", "反序列化"),
    ("span.poll", "running on the loop", "在事件循环上运行"),
    ("span.blocked", "blocking the loop", "阻塞事件循环"),
    ("span.cancelled", "cancelled", "已取消"),
    ("span.ended", "terminated", "已终止"),
    ("span.sequential", "sequential", "顺序执行"),
    ("span.tooltip", "{lane} · {kind} · task {task} · {start}–{end} ms ({ms} ms)", "{lane} · {kind} · 任务 {task} · {start}–{end} ms（{ms} ms）"),
    ("lane.worker", "worker {n}", "工作者 {n}"),
    ("lane.process", "process {n}", "工作进程 {n}"),
    ("lane.loop", "event loop", "事件循环"),
    ("lane.main", "main", "主线程"),
    ("error.busy", "a run is already in progress: cancel it or wait for it to finish", "已有一次运行正在进行：请先取消它，或等它结束"),
    ("error.cancelled", "the run was cancelled", "运行已取消"),
    ("error.no-shared-memory", "a SharedArrayBuffer can only be created on a cross-origin isolated page (COOP + COEP); process workers still work here, but they cannot share memory", "只有跨源隔离的页面（COOP + COEP）才能创建 `SharedArrayBuffer`；工作进程在这里仍然可以运行，但无法共享内存"),
    ("error.pool-failed", "the coordinator could not build a pool of that size", "协调者无法建立这么大的线程池"),
    ("error.worker-panicked", "worker {n} panicked: {message}. The pool was restarted automatically; the next run works without a reload.", "工作者 {n} 崩溃了：`{message}`。线程池已自动重启；下一次运行无需刷新页面。"),
    ("error.coordinator-panicked", "the coordinator panicked: {message}. The pool was restarted automatically; the next run works without a reload.", "协调者崩溃了：`{message}`。线程池已自动重启；下一次运行无需刷新页面。"),
    ("env.pool.starting", "starting", "启动中"),
    ("env.pool.ready", "ready", "就绪"),
    ("env.pool.unavailable", "unavailable", "不可用"),
    ("env.note.crashed", "worker {who} panicked ({message}); its pool was discarded and fresh workers were started", "工作者 {who} 崩溃了（`{message}`）；它所在的线程池已丢弃，并启动了新的工作者"),
    ("lesson.sync.condition", "{total} items went through a buffer of {capacity} with {notify}: each consumed exactly once, the buffer never held more than {peak}. Waiting in a while loop took {waits} condition waits; {futile} wake-ups found nothing to do and waited again.", "{total} 个条目经过容量为 {capacity} 的缓冲区（使用 `{notify}`）：每个恰好被消费一次，缓冲区里最多只有 {peak} 个。在 `while` 循环中等待，共发生 {waits} 次条件等待；其中 {futile} 次醒来发现无事可做，又接着等待。"),
    ("lesson.sync.condition-short", "The run stopped before all {total} items were consumed (cancelled); the buffer never held more than {peak} of {capacity}.", "运行在全部 {total} 个条目被消费之前停止了（已取消）；缓冲区里最多只有 {peak} 个（容量 {capacity}）。"),
    ("lesson.sync.queues", "{items} items through a {kind} queue of maxsize {maxsize}: the producer blocked {blocked} times while {consumers} consumers caught up, join() returned once every task_done() was in, and {stopped} workers stopped on their sentinel.", "{items} 个条目经过 `maxsize` 为 {maxsize} 的 `{kind}` 队列：{consumers} 个消费者追赶期间，生产者阻塞了 {blocked} 次；所有 `task_done()` 到齐后 `join()` 返回；{stopped} 个工作线程收到哨兵后停止。"),
    ("lesson.sync.rlock", "The RLock let its owner in at all {depth} levels; the plain Lock stopped at level 2 — its holder asking again would wait forever. With the lock held for {hold} ms, acquire(blocking=False) returned False at once and acquire(timeout={timeout} ms) returned {timed} after {waited} ms.", "`RLock` 让持有者在全部 {depth} 层都进入了；普通 `Lock` 在第 2 层就停住——持有者再次获取会永远等待。锁被占用 {hold} 毫秒期间，`acquire(blocking=False)` 立即返回 `False`，`acquire(timeout={timeout} ms)` 在 {waited} 毫秒后返回 {timed}。"),
    ("lesson.sync.event", "{waiters} workers waited at the \"ready\" Event for the {ready} ms start-up and none passed early; the one that waited with a {timeout} ms timeout got False first. Then they worked {rounds} rounds until \"stop\" was set.", "{waiters} 个工作线程等待“就绪”这个 `Event`，等了 {ready} 毫秒的启动时间，没有谁提前通过；超时设为 {timeout} 毫秒的那个先得到了 `False`。随后它们工作了 {rounds} 轮，直到“停止”被设置。"),
    ("knob.sync.producers", "Producers (the rest consume)", "生产者（其余消费）"),
    ("knob.sync.capacity", "Buffer capacity", "缓冲区容量"),
    ("knob.sync.items", "Items", "条目数"),
    ("knob.sync.consume-ms", "Consume one item (ms)", "消费一个条目（毫秒）"),
    ("knob.sync.maxsize", "Queue maxsize (0: unbounded)", "队列 `maxsize`（0：无界）"),
    ("knob.sync.work-ms", "Work per item (ms)", "每个条目的工作时长（毫秒）"),
    ("knob.sync.depth", "Recursion depth", "递归深度"),
    ("knob.sync.hold-ms", "Lock held for (ms)", "锁被占用的时长（毫秒）"),
    ("knob.sync.timeout-ms", "Timeout (ms)", "超时（毫秒）"),
    ("knob.sync.ready-ms", "Service start-up (ms)", "服务启动时间（毫秒）"),
    ("knob.sync.run-ms", "Work until stop (ms)", "停止前的工作时长（毫秒）"),
    ("knob.sync.job-ms", "Joined job (ms)", "被 `join` 的任务（毫秒）"),
    ("knob.sync.join-timeout-ms", "join(timeout) (ms)", "`join(timeout)`（毫秒）"),
    ("knob.sync.timer-ms", "Timer interval (ms)", "`Timer` 间隔（毫秒）"),
    ("sync.shared.what", "Process workers share nothing — unless they are handed shared memory on purpose, like multiprocessing.Value. Here one SharedArrayBuffer is posted to every process worker; they add to its counter without a lock, then with the lock that lives in the same buffer (value.get_lock()). Needs a cross-origin isolated page.", "工作进程之间什么都不共享——除非特意交给它们一块共享内存，就像 `multiprocessing.Value`。这里把同一个 `SharedArrayBuffer` 发给每个工作进程：它们先不加锁地给其中的计数器加一，再使用同一块缓冲区里的锁（`value.get_lock()`）。需要跨源隔离的页面。"),
    ("sync.shared-none", "Shared counter, no lock", "共享计数器，不加锁"),
    ("sync.shared-lock", "Shared counter, with its lock", "共享计数器，加锁"),
    ("lesson.sync.shared", "{workers} process workers added to one shared counter: without its lock {lost} of {expected} updates were lost, with value.get_lock() none. Shared memory brings the races of threads with it.", "{workers} 个工作进程给同一个共享计数器加一：不加锁时 {expected} 次更新丢失了 {lost} 次，使用 `value.get_lock()` 则一次不丢。共享内存也把线程的竞态条件一起带了过来。"),
    ("lesson.sync.shared-lucky", "{workers} process workers added to one shared counter and this time no update was lost even without the lock — luck, not safety: raise the increments and run again.", "{workers} 个工作进程给同一个共享计数器加一，这次即使不加锁也没有丢失更新——这是运气，不是安全：增加自增次数再运行一次。"),
    ("sync.semaphore.what", "A BoundedSemaphore(K) guards a pool of K connections for N clients. The measured maximum inside never exceeds K; the rest wait (sem-wait on the timeline). Releasing once too often raises an error.", "`BoundedSemaphore(K)`（有界信号量）管理着供 N 个客户端使用的 K 个连接。实测同时占用连接的最大数量从不超过 K；其余的都在等待（时间线上的 `sem-wait` 时间段）。多释放一次就会报错。"),
    ("sync.max-inside", "Most inside at once", "同时占用的最大数量"),
    ("sync.waited", "Time spent waiting", "等待总时长"),
    ("sync.over-release", "One release too many", "多释放一次"),
    ("knob.hold-locks", "Hold both locks (ms)", "同时持有两把锁（毫秒）"),
    ("knob.timeout", "Timed acquire waits (ms)", "限时获取等待（毫秒）"),
    ("knob.connections", "Connections (permits)", "连接数（许可数）"),
    ("knob.requests", "Requests per client", "每个客户端的请求数"),
    ("knob.hold", "Hold each connection (ms)", "每次占用连接（毫秒）"),
    ("lesson.sync.deadlock-fixed", "Opposite order deadlocked: worker {w0} held {h0} and wanted {x0} while worker {w1} held {h1} and wanted {x1} — neither could ever go on; the watchdog found the cycle. One global order (A before B) finished in {ordered_ms} ms; timed acquire with back-off finished in {timeout_ms} ms after {retries} retries.", "相反的加锁顺序造成了死锁：工作线程 {w0} 持有 {h0}、想要 {x0}，同时工作线程 {w1} 持有 {h1}、想要 {x1}——谁都无法继续；看门狗在等待图中发现了这个环。统一加锁顺序（先 A 后 B）用 {ordered_ms} 毫秒完成；带退避的限时获取重试 {retries} 次后，用 {timeout_ms} 毫秒完成。"),
    ("lesson.sync.deadlock", "Opposite order deadlocked and the watchdog found the cycle: worker {w0} held {h0} and wanted {x0}; worker {w1} held {h1} and wanted {x1}.", "相反的加锁顺序造成了死锁，看门狗发现了这个环：工作线程 {w0} 持有 {h0}、想要 {x0}；工作线程 {w1} 持有 {h1}、想要 {x1}。"),
    ("lesson.sync.deadlock-none", "No deadlock this time: with one lock order (or timed acquires) the two workers cannot wait for each other forever.", "这次没有死锁：只要加锁顺序统一（或使用限时获取），两个工作线程就不可能永远互相等待。"),
    ("sync.deadlock.what", "Two workers each take one lock, meet, then reach for the other's: a certain deadlock, found by a watchdog on the wait-for graph (the tab never hangs). Then the two fixes side by side: one global lock order, and a timed acquire with back-off.", "两个工作线程各拿一把锁，碰头后再去拿对方的锁：必然死锁，由看门狗在等待图上发现（页面绝不会卡死）。然后并排展示两种修复：统一的加锁顺序，以及带退避的限时获取。"),
    ("sync.strategy", "Strategy", "策略"),
    ("sync.deadlocked", "Deadlock", "死锁"),
    ("sync.completed", "Finished", "完成数"),
    ("sync.retries", "Retries", "重试次数"),
    ("sync.cycle", "Wait-for cycle", "等待环"),
    ("lesson.sync.barrier", "{workers} workers, {phases} phases: every phase began only after all {workers} had finished the one before — the barrier-wait bars show who waited for the slowest.", "{workers} 个工作线程、{phases} 个阶段：每个阶段都要等全部 {workers} 个工作线程完成上一阶段后才开始——时间线上的 `barrier-wait` 时间段显示了谁在等最慢的那个。"),
    ("lesson.sync.barrier-broken", "Worker {worker}'s wait in phase {phase} timed out, so the barrier broke for everyone: {n} workers got BrokenBarrierError instead of waiting forever for the straggler.", "工作线程 {worker} 在第 {phase} 阶段的等待超时，于是栅栏对所有人都断开了：{n} 个工作线程收到 `BrokenBarrierError`，而不是永远等待掉队者。"),
    ("sync.barrier.what", "Workers do their part of each phase and meet at a barrier: nobody starts phase p+1 before everyone finished phase p. A wait with a timeout breaks the barrier for all — shown with a straggler.", "工作线程各自完成每个阶段的工作，然后在 `Barrier`（栅栏）处会合：所有人完成第 p 阶段之前，谁也不会开始第 p+1 阶段。带超时的等待一旦超时，栅栏对所有人都会断开——用一个掉队者来演示。"),
    ("sync.phase", "Phase", "阶段"),
    ("sync.first-start", "First start", "最早开始"),
    ("sync.last-end", "Last finish", "最晚结束"),
    ("knob.phases", "Phases", "阶段数"),
    ("knob.work", "Work per phase (ms, ±50%)", "每阶段工作量（毫秒，±50%）"),
    ("knob.straggler", "Straggler's extra time (ms)", "掉队者额外耗时（毫秒）"),
    ("knob.barrier-timeout", "Barrier wait timeout (ms)", "栅栏等待超时（毫秒）"),
    ("sync.title", "Synchronisation between real workers", "在真实的工作者之间同步"),
    ("sync.race.what", "k workers each add 1 to one shared counter n times. Without a lock, `counter += 1` is read, add, write: two workers can read the same value and one update is lost. A lock or an atomic add makes the count exact — at a price.", "k 个工作线程各自给同一个共享计数器加 1，重复 n 次。不加锁时，`counter += 1` 分读、加、写三步：两个工作线程可能读到同一个值，于是丢失一次更新——这就是竞态条件。加锁（互斥锁）或原子加法能让计数准确——但有代价。"),
    ("sync.method", "Method", "方式"),
    ("sync.expected", "Expected", "预期"),
    ("sync.actual", "Counted", "实际计数"),
    ("sync.lost", "Lost updates", "丢失的更新"),
    ("sync.ns", "ns per increment", "每次自增纳秒数"),
    ("sync.overlap", "Workers overlapped", "工作线程是否重叠运行"),
    ("knob.increments", "Increments per worker", "每个工作线程的自增次数"),
    ("error.stalled", "every task waits and no timer is set: {waiting}", "所有任务都在等待，却没有任何定时器：{waiting}"),
    ("error.measuring", "not while measuring", "测量运行时长时不可用"),
    ("error.pool-failed.answer", "the thread pool answered with something else", "线程池返回了意料之外的结果"),
    ("error.worker-panicked.thread", "a worker panicked: {text}", "一个工作线程崩溃了：`{text}`"),
    ("error.worker-panicked.silent", "a worker panicked: a panic without a message", "一个工作线程崩溃了，没有附带任何消息"),
    ("error.worker-panicked.cpu-unreadable", "process {worker} answered something unreadable: {reply}", "工作进程 {worker} 返回了无法解析的内容：`{reply}`"),
    ("error.worker-panicked.cpu-crashed", "process {worker} crashed: {why}", "工作进程 {worker} 崩溃了：`{why}`"),
    ("error.worker-panicked.replaced-one", ". The crashed process worker {crashed} will be replaced by a fresh one on the next run.", "。崩溃的工作进程 {crashed} 会在下次运行时换成新的。"),
    ("error.worker-panicked.replaced-many", ". The crashed process workers {crashed} will be replaced by fresh ones on the next run.", "。崩溃的工作进程 {crashed} 会在下次运行时全部换成新的。"),
    ("error.no-processes.foreign", "not a process of this run", "不是本次运行的工作进程"),
    ("error.no-processes.fresh", "no fresh process workers here", "这里无法启动新的工作进程"),
    ("error.no-threads.fresh", "no fresh thread workers here (they need a cross-origin isolated page)", "这里无法启动新的工作线程（需要跨源隔离的页面）"),
];

/// A section of the catalogue: (key, English, Simplified Chinese).
pub type Section = &'static [(&'static str, &'static str, &'static str)];

static SECTIONS: std::sync::OnceLock<Vec<Section>> = std::sync::OnceLock::new();

/// Adds every demo's own texts (the registry does, once: `labs::install_catalogue`), so a
/// demo file owns its lessons without this file knowing the demos.
pub fn register(sections: Vec<Section>) {
    let _ = SECTIONS.set(sections);
}

/// The catalogue's sections: the shared one, then the registered demos' own texts.
fn entries() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    CATALOGUE.iter().chain(
        SECTIONS
            .get()
            .map(Vec::as_slice)
            .unwrap_or(&[])
            .iter()
            .flat_map(|t| t.iter()),
    )
}

/// The text for `key` in `lang`; empty if it is missing (a test keeps that from happening
/// for every key the code uses).
pub fn t(lang: Lang, key: &str) -> &'static str {
    match entries().find(|(k, _, _)| *k == key) {
        Some((_, en, zh)) => match lang {
            Lang::En => en,
            Lang::Zh => zh,
        },
        None => "",
    }
}

/// A figure in `lang`: a reason that reached a message as English text (why threads cannot run
/// here travels between workers and ports as plain text) is given in `lang` when it is one of
/// the catalogue's `reason.` texts; any other figure (a number, a name) is as it is.
pub fn figure_in(lang: Lang, value: &str) -> std::borrow::Cow<'_, str> {
    if lang == Lang::En {
        return value.into();
    }
    match entries().find(|(k, en, _)| k.starts_with("reason.") && *en == value) {
        Some((_, _, zh)) => (*zh).into(),
        None => value.into(),
    }
}

/// Whether the catalogue has `key`.
pub fn has(key: &str) -> bool {
    entries().any(|(k, _, _)| *k == key)
}

/// The key under `prefix` whose English is exactly `en`: the Chinese of a text the code holds
/// in English only (a demo's rule reasons, `scenario.rule.…`).
pub fn by_english(prefix: &str, en: &str) -> Option<&'static str> {
    entries()
        .find(|(k, e, _)| k.starts_with(prefix) && *e == en)
        .map(|(k, _, _)| *k)
}

/// `a, b or c` (`a、b 或 c` in Chinese): a list of alternatives in a message.
pub fn or_list(lang: Lang, items: &[String]) -> String {
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => {
            let sep = match lang {
                Lang::En => ", ",
                Lang::Zh => "、",
            };
            tf(
                lang,
                "scenario.or",
                &[("list", rest.join(sep)), ("last", last.clone())],
            )
        }
    }
}

/// Replaces `{name}` placeholders with figures.
pub fn fill(template: &str, figures: &[(&str, String)]) -> String {
    let mut out = template.to_string();
    for (name, value) in figures {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// `t` then `fill`.
pub fn tf(lang: Lang, key: &str, figures: &[(&str, String)]) -> String {
    fill(t(lang, key), figures)
}

/// Every key in the catalogue (for tests and tooling).
pub fn keys() -> impl Iterator<Item = &'static str> {
    entries().map(|(k, _, _)| *k)
}

#[cfg(test)]
fn placeholders(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s
        .split('{')
        .skip(1)
        .filter_map(|p| p.split_once('}').map(|(name, _)| name))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_the_same_placeholders() {
        let mut seen = std::collections::HashSet::new();
        for (key, en, zh) in entries() {
            assert!(seen.insert(key), "duplicate key {key}");
            assert!(!en.trim().is_empty(), "{key} lacks English");
            assert!(!zh.trim().is_empty(), "{key} lacks Chinese");
            assert_eq!(
                placeholders(en),
                placeholders(zh),
                "{key}: placeholders differ"
            );
        }
    }

    #[test]
    fn lesson_ids_are_in_the_catalogue() {
        for id in [
            "lesson.cpu.no-baseline",
            "lesson.cpu.mismatch",
            "lesson.cpu.one-worker",
            "lesson.cpu.oversubscribed",
            "lesson.cpu.near-ideal",
            "lesson.cpu.partial",
            "lesson.cpu.no-gain",
            "lesson.cpu.sweep",
            "lesson.cpu.sweep-past-cores",
            "lesson.cpu.sweep-flat",
            "lesson.cpu.sweep-one",
            "lesson.cpu.main-thread",
            "lesson.cpu.main-thread-capped",
            "lesson.sync.semaphore",
            "lesson.sync.semaphore-roomy",
            "lesson.sync.deadlock-fixed",
            "lesson.sync.deadlock",
            "lesson.sync.deadlock-none",
            "lesson.sync.barrier",
            "lesson.sync.barrier-broken",
        ] {
            assert!(has(id), "{id}");
        }
    }

    #[test]
    fn fill_and_language_tags() {
        assert_eq!(
            fill("{a} and {b}", &[("a", "1".into()), ("b", "2".into())]),
            "1 and 2"
        );
        assert_eq!(Lang::from_tag("zh-CN"), Lang::Zh);
        assert_eq!(Lang::from_tag("en-GB"), Lang::En);
        assert_eq!(t(Lang::Zh, "nav.env"), "运行环境");
        assert_eq!(t(Lang::En, "no.such.key"), "");
    }
}
