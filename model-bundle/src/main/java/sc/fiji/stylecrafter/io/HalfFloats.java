package sc.fiji.stylecrafter.io;

/** IEEE 754 binary16 conversions (Java 17 has none in the standard library). */
public final class HalfFloats {

	private HalfFloats() {}

	/** Widens a binary16 bit pattern to float, exactly. */
	public static float halfToFloat(short h) {
		int bits = h & 0xFFFF;
		int sign = (bits & 0x8000) << 16;
		int exp = (bits >>> 10) & 0x1F;
		int mant = bits & 0x3FF;
		if (exp == 0x1F) return Float.intBitsToFloat(sign | 0x7F800000 | (mant << 13));
		if (exp == 0) {
			if (mant == 0) return Float.intBitsToFloat(sign);
			float v = mant * 0x1p-24f; // subnormal
			return sign != 0 ? -v : v;
		}
		return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
	}

	/** Rounds a float to the nearest binary16 (ties to even), as {@code torch.Tensor.half()} does. */
	public static short floatToHalf(float f) {
		int x = Float.floatToRawIntBits(f);
		int sign = (x >>> 16) & 0x8000;
		int abs = x & 0x7FFFFFFF;
		if (abs >= 0x7F800000) return (short) (sign | 0x7C00 | (abs > 0x7F800000 ? 0x200 : 0)); // inf / nan
		if (abs >= 0x477FF000) return (short) (sign | 0x7C00); // rounds to inf
		if (abs < 0x38800000) { // subnormal half or zero
			if (abs < 0x33000000) return (short) sign;
			int e = abs >>> 23;
			int m = (abs & 0x7FFFFF) | 0x800000;
			int shift = 126 - e; // 14..24
			int half = m >>> shift;
			int rem = m & ((1 << shift) - 1);
			int mid = 1 << (shift - 1);
			if (rem > mid || (rem == mid && (half & 1) != 0)) half++;
			return (short) (sign | half);
		}
		int e = (abs >>> 23) - 112;
		int m = abs & 0x7FFFFF;
		int half = (e << 10) | (m >>> 13);
		int rem = m & 0x1FFF;
		if (rem > 0x1000 || (rem == 0x1000 && (half & 1) != 0)) half++;
		return (short) (sign | half);
	}

	/** Rounds to float16 and back: what a value looks like after {@code .half().float()}. */
	public static float roundToHalf(float f) {
		return halfToFloat(floatToHalf(f));
	}
}
