package sc.fiji.stylecrafter.testing;

/** The tolerance measure of the golden README: norm of the difference over norm of the reference. */
public final class Compare {

	private Compare() {}

	public static double relativeError(float[] got, float[] want) {
		if (got.length != want.length) throw new AssertionError("length " + got.length + " != " + want.length);
		double num = 0, den = 0;
		for (int i = 0; i < got.length; i++) {
			double d = (double) got[i] - want[i];
			num += d * d;
			den += (double) want[i] * want[i];
		}
		return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
	}
}
