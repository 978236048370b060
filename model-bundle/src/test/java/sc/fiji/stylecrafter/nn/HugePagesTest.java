package sc.fiji.stylecrafter.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Large CPU tensors land on transparent huge pages without anything set outside the process (as in a Fiji started the
 * usual way): {@code EngineSettings.prepare} sets libtorch's {@code THP_MEM_ALLOC_ENABLE} before the engine loads.
 * Checked in new JVMs through {@code AnonHugePages} of {@code /proc/self/smaps_rollup}; skipped where the kernel does
 * not grant huge pages on request ({@code /sys/kernel/mm/transparent_hugepage/enabled} not {@code [madvise]}).
 */
class HugePagesTest {

	@Test
	void largeTensorsAreOnHugePagesUnlessTurnedOff() throws Exception {
		Path mode = Path.of("/sys/kernel/mm/transparent_hugepage/enabled");
		assumeTrue(Files.isReadable(mode) && Files.readString(mode).contains("[madvise]"), "transparent huge pages are not granted on request here");
		long on = hugeKb();
		long off = hugeKb("-D" + NativeMemory.THP_PROPERTY + "=false");
		System.out.printf("256 MB tensor: %d MB on huge pages, %d MB with %s=false%n", on / 1024, off / 1024, NativeMemory.THP_PROPERTY);
		assertTrue(on >= 128 * 1024, on + " kB on huge pages");
		assertTrue(off < 64 * 1024, off + " kB on huge pages although turned off");
	}

	private static long hugeKb(String... jvmOptions) throws IOException, InterruptedException {
		List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m", "-Dai.djl.offline=true"));
		cmd.addAll(List.of(jvmOptions));
		cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), HugePagesChild.class.getName()));
		ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
		pb.environment().remove("GLIBC_TUNABLES");
		pb.environment().remove(NativeMemory.THP_VARIABLE);
		Process proc = pb.start();
		String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
		assertTrue(proc.waitFor(120, TimeUnit.SECONDS));
		assertEquals(0, proc.exitValue(), out);
		assertTrue(out.contains("sum=6.7108864E7"), out);
		return out.lines().filter(l -> l.startsWith("hugeKb=")).mapToLong(l -> Long.parseLong(l.substring(7))).findFirst().orElseThrow();
	}
}
