package sc.fiji.stylecrafter.testing;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/** One small convolution, so that oneDNN loads and, with {@code ONEDNN_VERBOSE=1}, names its instruction set ({@link HostReport}). */
public final class OnednnIsa {

	private OnednnIsa() {}

	public static void main(String[] args) {
		try (NDManager m = NDManager.newBaseManager()) {
			Shape one = new Shape(1, 1);
			// large enough for libtorch to hand it to oneDNN
			Conv2d.conv2d(m.ones(new Shape(1, 64, 32, 32)), m.ones(new Shape(64, 64, 3, 3)), null, one, one, one, 1);
		}
	}
}
