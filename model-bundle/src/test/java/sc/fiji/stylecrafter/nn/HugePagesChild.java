package sc.fiji.stylecrafter.nn;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

import sc.fiji.stylecrafter.engine.EngineSettings;

/**
 * Run in a new JVM by {@link HugePagesTest}: prepares the engine as every entry point does, fills a 256 MB tensor and
 * prints how much of the process's anonymous memory is on transparent huge pages.
 */
public final class HugePagesChild {

	private HugePagesChild() {}

	public static void main(String[] args) throws IOException {
		EngineSettings.prepare();
		try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
			NDArray big = m.ones(new Shape(64, 1024, 1024)); // 256 MB, every page written
			System.out.println("sum=" + big.sum().getFloat());
			for (String line : Files.readAllLines(Path.of("/proc/self/smaps_rollup"))) {
				if (line.startsWith("AnonHugePages:")) System.out.println("hugeKb=" + line.replaceAll("[^0-9]", ""));
			}
		}
	}
}
