package sc.fiji.stylecrafter.io;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;

/**
 * Frees direct and mapped buffers at once instead of when the garbage collector gets to them. A direct buffer's
 * native memory is otherwise released only after a collection, and with a small Java heap collections are rare:
 * loading a model tensor by tensor then keeps up to {@code MaxDirectMemorySize} (by default the maximum heap, a
 * quarter of the machine) of dead staging buffers resident. Uses {@code sun.misc.Unsafe.invokeCleaner} where
 * available; elsewhere buffers are left to the garbage collector.
 */
final class DirectBuffers {

	private static final Object UNSAFE;
	private static final Method INVOKE_CLEANER;

	static {
		Object u = null;
		Method m = null;
		try {
			Class<?> c = Class.forName("sun.misc.Unsafe");
			Field f = c.getDeclaredField("theUnsafe");
			f.setAccessible(true);
			u = f.get(null);
			m = c.getMethod("invokeCleaner", ByteBuffer.class);
		}
		catch (ReflectiveOperationException | RuntimeException e) {
			u = null;
			m = null;
		}
		UNSAFE = u;
		INVOKE_CLEANER = m;
	}

	private DirectBuffers() {}

	/**
	 * Releases the memory (or mapping) of a direct buffer that nothing reads any more. The buffer must be the one
	 * allocated or mapped, not a slice or duplicate of it.
	 */
	static void free(ByteBuffer buffer) {
		if (INVOKE_CLEANER == null || buffer == null || !buffer.isDirect()) return;
		try {
			INVOKE_CLEANER.invoke(UNSAFE, buffer);
		}
		catch (ReflectiveOperationException | RuntimeException e) {
			// Left to the garbage collector.
		}
	}
}
