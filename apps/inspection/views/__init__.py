"""The pages of labour inspection, one module per room: cases, the public complaint pages are in
`views_public`; patrols, written reviews, interviews, the wage-arrears list and the figures have
their own modules."""
