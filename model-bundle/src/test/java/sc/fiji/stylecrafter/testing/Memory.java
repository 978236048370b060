package sc.fiji.stylecrafter.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory, for tests that show it stays flat. */
public final class Memory {

	private Memory() {}

	/** VmRSS of /proc/self/status in kB: the pages in RAM, libtorch's native allocations included. */
	public static long rssKb() throws IOException {
		for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
			if (line.startsWith("VmRSS:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
		}
		throw new IllegalStateException("no VmRSS in /proc/self/status");
	}
}
