import { Type } from "typebox";

export const FeatureEntity = Type.Object({
  name: Type.String(),
  state: Type.Union([Type.Literal("on"), Type.Literal("off"), Type.Literal("conditional")]),
  gates: Type.Array(
    Type.Union([
      Type.Object({ key: Type.Literal("boolean"), value: Type.Boolean() }),
      Type.Object({ key: Type.Literal("actors"), value: Type.Array(Type.String()) }),
    ]),
  ),
});
