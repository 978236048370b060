package sc.fiji.stylecrafter.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;

/**
 * Run in a new JVM by {@link RuntimeOverrideTest}: prepares the engine as every StyleCrafter entry point does, computes
 * on it, and prints which libtorch DJL loaded and which native files the process has mapped.
 */
public final class RuntimeChild {

	private RuntimeChild() {}

	public static void main(String[] args) throws IOException {
		EngineSettings.prepare();
		try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
			System.out.println("sum=" + m.create(new float[] { 1, 2, 3 }).mul(2).sum().getFloat());
		}
		System.out.println("libtorch=" + LibUtils.getLibtorchPath());
		System.out.println("choice=" + RuntimeSelection.made().map(RuntimeSelection.Choice::reason).orElse("none"));
		for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
			int slash = line.indexOf('/');
			if (slash >= 0 && (line.contains("libtorch_cpu") || line.contains("djl_torch") || line.contains("libc10"))) System.out.println("map=" + line.substring(slash));
		}
	}
}
