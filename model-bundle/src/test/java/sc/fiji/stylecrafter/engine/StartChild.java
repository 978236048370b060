package sc.fiji.stylecrafter.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.LibUtils;

/**
 * Run in a new JVM by {@link RuntimeOverrideTest}: starts the engine as a generation does ({@link EngineSettings#start})
 * and prints either {@code failed=MESSAGE} or where libtorch was loaded from and a sum computed on it.
 */
public final class StartChild {

	private StartChild() {}

	public static void main(String[] args) {
		try {
			EngineSettings.start();
		}
		catch (IllegalStateException e) {
			System.out.println("failed=" + e.getMessage());
			return;
		}
		try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
			System.out.println("sum=" + m.create(new float[] { 1, 2, 3 }).mul(2).sum().getFloat());
		}
		System.out.println("libtorch=" + LibUtils.getLibtorchPath());
	}
}
