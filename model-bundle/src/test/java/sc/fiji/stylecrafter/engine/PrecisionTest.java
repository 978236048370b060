package sc.fiji.stylecrafter.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import ai.djl.ndarray.types.DataType;

import sc.fiji.stylecrafter.nn.Kernels;

/** The labels Fiji's dialogs and the command line offer are the ones the core parses. */
class PrecisionTest {

	@Test
	void labelsAreTheConstantsAndParseBack() {
		assertEquals(Precision.FLOAT32_LABEL, Precision.FLOAT32.label());
		assertEquals(Precision.FLOAT16_LABEL, Precision.FLOAT16.label());
		assertEquals(Precision.BFLOAT16_LABEL, Precision.BFLOAT16.label());
		for (Precision p : Precision.values()) assertEquals(p, Precision.parse(p.label().toUpperCase(java.util.Locale.ROOT)));
		assertEquals(Precision.FLOAT32, Precision.parse(Precision.DEFAULT_LABEL));
		// bfloat16 keeps float32 tensors in DJL: only its products are bfloat16
		assertEquals(DataType.FLOAT32, Precision.BFLOAT16.dataType());
		assertTrue(Precision.BFLOAT16.bfloat16Products());
		assertTrue(assertThrows(IllegalArgumentException.class, () -> Precision.parse("float8")).getMessage().contains("allowed: float32, float16, bfloat16"));
	}

	/** The float32 islands: under bfloat16 only the UNet's products leave float32; float16 holds every part in float16. */
	@Test
	void eachPartComputesWhereThePrecisionSays() {
		for (Precision.Part part : Precision.Part.values()) {
			assertEquals(new Precision.Compute(DataType.FLOAT32, Kernels.STANDARD), Precision.FLOAT32.of(part), part.name());
			assertEquals(new Precision.Compute(DataType.FLOAT16, Kernels.STANDARD), Precision.FLOAT16.of(part), part.name());
			Kernels bfloat16 = part == Precision.Part.UNET ? Kernels.BFLOAT16 : Kernels.STANDARD;
			assertEquals(new Precision.Compute(DataType.FLOAT32, bfloat16), Precision.BFLOAT16.of(part), part.name());
		}
		assertFalse(Precision.FLOAT32.bfloat16Products());
		assertFalse(Precision.FLOAT16.bfloat16Products());
	}
}
