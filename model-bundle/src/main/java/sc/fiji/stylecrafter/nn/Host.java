package sc.fiji.stylecrafter.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import ai.djl.pytorch.jni.JniUtils;

/**
 * The machine the kernels run on, in one line, for reports whose numbers depend on it (the self-test, the tests'
 * output): CPU model with vendor, family and model numbers, the instruction sets that decide libtorch's and oneDNN's
 * kernels, cores and libtorch's thread count. Which of its kernels oneDNN takes it tells only when asked through its
 * environment before it loads ({@code ONEDNN_VERBOSE=1}); here the highest instruction set it can use is named from
 * the CPU's flags and {@code ONEDNN_MAX_CPU_ISA}, the cap a user may set.
 */
public final class Host {

	/** The flags that change which kernels libtorch and oneDNN pick, in the order of their generations. */
	private static final List<String> FLAGS = List.of("avx2", "fma", "avx512f", "avx512bw", "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile",
		"amx_bf16", "amx_int8", "asimd", "sve");

	private Host() {}

	/** {@code AMD EPYC (AuthenticAMD family 26 model 2), 2 cores, flags avx2 ... avx512_bf16, oneDNN up to ..., 2 libtorch threads}. */
	public static String describe() {
		Map<String, String> cpu = cpuinfo();
		List<String> flags = new ArrayList<>();
		Set<String> all = Set.of(cpu.getOrDefault("flags", cpu.getOrDefault("Features", "")).split("\\s+"));
		for (String f : FLAGS) if (all.contains(f)) flags.add(f);
		String model = cpu.getOrDefault("model name", System.getProperty("os.arch"));
		String ids = cpu.containsKey("vendor_id") ? " (" + cpu.get("vendor_id") + " family " + cpu.get("cpu family") + " model " + cpu.get("model") + ")" : "";
		return String.format(Locale.ROOT, "%s%s, %d cores, flags: %s; oneDNN up to %s; %s libtorch threads", model, ids, Runtime.getRuntime().availableProcessors(),
			flags.isEmpty() ? "none of " + FLAGS : String.join(" ", flags), onednnIsa(all), threads());
	}

	/** libtorch's intra-op thread count, or "?" before the engine loads. */
	private static String threads() {
		try {
			return Integer.toString(JniUtils.getNumThreads());
		}
		catch (LinkageError | RuntimeException e) {
			return "?";
		}
	}

	/** The highest instruction set oneDNN can take on this CPU (as its own dispatcher names them), capped by {@code ONEDNN_MAX_CPU_ISA}. */
	private static String onednnIsa(Set<String> flags) {
		String isa = flags.contains("amx_bf16") ? "avx512_core_amx" : flags.contains("avx512_bf16") ? "avx512_core_bf16"
			: flags.contains("avx512_vnni") ? "avx512_core_vnni" : flags.contains("avx512bw") ? "avx512_core" : flags.contains("avx2") ? "avx2"
			: flags.contains("asimd") ? "asimd" : "sse41 or none";
		String cap = System.getenv("ONEDNN_MAX_CPU_ISA");
		return cap == null ? isa + " (from the CPU flags)" : isa + " capped by ONEDNN_MAX_CPU_ISA=" + cap;
	}

	/** The first processor's {@code /proc/cpuinfo} fields (Linux), else nothing. */
	private static Map<String, String> cpuinfo() {
		Map<String, String> out = new LinkedHashMap<>();
		try {
			for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
				if (line.isBlank() && !out.isEmpty()) break;
				int colon = line.indexOf(':');
				if (colon > 0) out.putIfAbsent(line.substring(0, colon).strip(), line.substring(colon + 1).strip());
			}
		}
		catch (IOException | RuntimeException e) {
			// not Linux: the model falls back to the architecture
		}
		return out;
	}
}
