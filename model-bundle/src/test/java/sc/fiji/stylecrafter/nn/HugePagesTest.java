package sc.fiji.stylecrafter.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import sc.fiji.stylecrafter.testing.ChildJvm;

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
		List<String> out = ChildJvm.run(List.of(jvmOptions), env -> {
			env.remove("GLIBC_TUNABLES");
			env.remove(NativeMemory.THP_VARIABLE);
		}, HugePagesChild.class);
		assertTrue(out.contains("sum=6.7108864E7"), String.join("\n", out));
		return out.stream().filter(l -> l.startsWith("hugeKb=")).mapToLong(l -> Long.parseLong(l.substring(7))).findFirst().orElseThrow();
	}

}
